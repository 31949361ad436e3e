"""Compatibility shims (each with its reason in its module docstring)."""
from .checkpoint import (SAFE_GLOBALS, CheckpointLoadError,
                         safe_torch_load, setup_checkpoint_loading)
from .dist import (cpu_ddp_cfg, init_cpu_distributed, needs_cpu_distributed,
                   teardown_distributed)
from .model_index import model_index_root, register_model_index

__all__ = [
    'CheckpointLoadError', 'SAFE_GLOBALS', 'cpu_ddp_cfg',
    'init_cpu_distributed', 'model_index_root', 'needs_cpu_distributed',
    'register_model_index', 'safe_torch_load', 'setup_checkpoint_loading',
    'teardown_distributed'
]
