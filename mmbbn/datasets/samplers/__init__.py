"""Samplers."""
from .class_index import (REBALANCE_WEIGHTS, ClassIndex, epoch_rng,
                          rebalance_probs)
from .dual_sampler import DualSampler

__all__ = [
    'ClassIndex', 'DualSampler', 'REBALANCE_WEIGHTS', 'epoch_rng',
    'rebalance_probs'
]
