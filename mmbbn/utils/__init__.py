"""Compatibility shims (each with its reason in its module docstring)."""
from .checkpoint import (SAFE_GLOBALS, CheckpointLoadError,
                         install_safe_checkpoint_loading, safe_torch_load)
from .dist import (check_launcher_env, cpu_ddp_cfg, init_cpu_distributed,
                   needs_cpu_distributed, teardown_distributed)
from .launch import (apply_dataloader_defaults, setup_launcher,
                     use_channels_last)
from .model_index import model_index_root, register_model_index

__all__ = [
    'CheckpointLoadError', 'SAFE_GLOBALS', 'apply_dataloader_defaults',
    'check_launcher_env', 'cpu_ddp_cfg', 'init_cpu_distributed',
    'install_safe_checkpoint_loading', 'model_index_root',
    'needs_cpu_distributed', 'register_model_index', 'safe_torch_load',
    'setup_launcher', 'teardown_distributed', 'use_channels_last'
]
