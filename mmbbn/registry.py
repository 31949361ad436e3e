"""The registries mmbbn registers into.

mmbbn adds no registry of its own: every module is registered into
MMPretrain's registries, so a config keeps ``default_scope='mmpretrain'`` and
MMPretrain's tools, ``get_model`` and inferencers find mmbbn's classes once
``import mmbbn`` has run (configs do that through ``custom_imports``). Should
mmbbn ever need its own scope, this module is the one place to change.
"""
from mmpretrain.registry import (DATA_SAMPLERS, DATASETS, HOOKS, LOOPS,
                                 METRICS, MODELS, PARAM_SCHEDULERS, TRANSFORMS,
                                 VISUALIZERS, WEIGHT_INITIALIZERS)

__all__ = [
    'DATASETS', 'DATA_SAMPLERS', 'HOOKS', 'LOOPS', 'METRICS', 'MODELS',
    'PARAM_SCHEDULERS', 'TRANSFORMS', 'VISUALIZERS', 'WEIGHT_INITIALIZERS'
]
