"""MMPretrain's registries, and MMEngine's root ``FUNCTIONS`` (collate)."""
from mmengine.registry import FUNCTIONS
from mmpretrain.registry import (BATCH_AUGMENTS, DATA_SAMPLERS, DATASETS,
                                 HOOKS, LOOPS, METRICS, MODELS, OPTIM_WRAPPERS,
                                 TRANSFORMS)

__all__ = [
    'BATCH_AUGMENTS', 'DATASETS', 'DATA_SAMPLERS', 'FUNCTIONS', 'HOOKS',
    'LOOPS', 'METRICS', 'MODELS', 'OPTIM_WRAPPERS', 'TRANSFORMS'
]
