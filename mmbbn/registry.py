"""The registries mmbbn registers into.

mmbbn adds no registry of its own: every module is registered into
MMPretrain's registries, so a config keeps ``default_scope='mmpretrain'`` and
MMPretrain's tools, ``get_model`` and inferencers find mmbbn's classes once
``import mmbbn`` has run (configs do that through ``custom_imports``). Should
mmbbn ever need its own scope, this module is the one place to change.
MMPretrain has no ``FUNCTIONS`` registry (collate functions): MMEngine's
root one, which every scope falls back to, is used.
"""
from mmengine.registry import FUNCTIONS
from mmpretrain.registry import (BATCH_AUGMENTS, DATA_SAMPLERS, DATASETS,
                                 HOOKS, LOOPS, METRICS, MODELS, OPTIM_WRAPPERS,
                                 PARAM_SCHEDULERS, TRANSFORMS, VISUALIZERS,
                                 WEIGHT_INITIALIZERS)

__all__ = [
    'BATCH_AUGMENTS', 'DATASETS', 'DATA_SAMPLERS', 'FUNCTIONS', 'HOOKS',
    'LOOPS', 'METRICS', 'MODELS', 'OPTIM_WRAPPERS', 'PARAM_SCHEDULERS',
    'TRANSFORMS', 'VISUALIZERS', 'WEIGHT_INITIALIZERS'
]
