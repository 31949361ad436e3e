"""Training samplers: every draw carries the seed of its augmentation."""
from .class_aware_sampler import (SAMPLING_MODES, ClassAwareSampler,
                                  progressive_probs)
from .class_index import (REBALANCE_WEIGHTS, ClassIndex, ClassIndexSampler,
                          rebalance_probs)
from .dual_sampler import DualSampler
from .seeded_sampler import SeededSampler, epoch_rng

__all__ = [
    'ClassAwareSampler', 'ClassIndex', 'ClassIndexSampler', 'DualSampler',
    'REBALANCE_WEIGHTS', 'SAMPLING_MODES', 'SeededSampler', 'epoch_rng',
    'progressive_probs', 'rebalance_probs'
]
