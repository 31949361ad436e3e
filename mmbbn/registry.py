"""The registries mmbbn registers into: MMPretrain's own.

So configs keep ``default_scope='mmpretrain'`` and MMPretrain's tools,
``get_model`` and inferencers find mmbbn's classes. Collate functions go
to MMEngine's root ``FUNCTIONS`` (MMPretrain has none; every scope falls
back to it).
"""
from mmengine.registry import FUNCTIONS
from mmpretrain.registry import (BATCH_AUGMENTS, DATA_SAMPLERS, DATASETS,
                                 HOOKS, LOOPS, METRICS, MODELS, OPTIM_WRAPPERS,
                                 PARAM_SCHEDULERS, TRANSFORMS,
                                 WEIGHT_INITIALIZERS)

__all__ = [
    'BATCH_AUGMENTS', 'DATASETS', 'DATA_SAMPLERS', 'FUNCTIONS', 'HOOKS',
    'LOOPS', 'METRICS', 'MODELS', 'OPTIM_WRAPPERS', 'PARAM_SCHEDULERS',
    'TRANSFORMS', 'WEIGHT_INITIALIZERS'
]
