"""Compatibility shims (each with its reason in its module docstring)."""
from .checkpoint import (SAFE_GLOBALS, CheckpointLoadError, safe_torch_load,
                         setup_checkpoint_loading)
from .model_index import model_index_root, register_model_index

__all__ = [
    'CheckpointLoadError', 'SAFE_GLOBALS', 'model_index_root',
    'register_model_index', 'safe_torch_load', 'setup_checkpoint_loading'
]
