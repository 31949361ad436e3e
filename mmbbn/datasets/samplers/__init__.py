"""Samplers."""
from .class_aware_sampler import (SAMPLING_MODES, ClassAwareSampler,
                                  progressive_probs)
from .class_index import (REBALANCE_WEIGHTS, ClassIndex, epoch_rng,
                          rebalance_probs)
from .dual_sampler import DualSampler

__all__ = [
    'ClassAwareSampler', 'ClassIndex', 'DualSampler', 'REBALANCE_WEIGHTS',
    'SAMPLING_MODES', 'epoch_rng', 'progressive_probs', 'rebalance_probs'
]
