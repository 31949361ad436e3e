"""Compatibility shims (each with its reason in its module docstring) and
the config overrides of the benchmark tools."""
from .checkpoint import (SAFE_GLOBALS, CheckpointLoadError,
                         safe_torch_load, setup_checkpoint_loading)
from .config_overrides import replace_dataset, replace_schedule, rescale_epochs
from .dist import (cpu_ddp_cfg, init_cpu_distributed, needs_cpu_distributed,
                   teardown_distributed)
from .experiment import (evaluate_run, last_checkpoint, mean_std,
                         prepare_config, read_best_last, train_in_process,
                         train_run)
from .model_index import model_index_root, register_model_index

__all__ = [
    'CheckpointLoadError', 'SAFE_GLOBALS', 'cpu_ddp_cfg', 'evaluate_run',
    'init_cpu_distributed', 'last_checkpoint', 'mean_std', 'model_index_root',
    'needs_cpu_distributed', 'prepare_config', 'read_best_last',
    'register_model_index', 'replace_dataset', 'replace_schedule',
    'rescale_epochs', 'safe_torch_load', 'setup_checkpoint_loading',
    'teardown_distributed', 'train_in_process', 'train_run'
]
