"""Data sets, the dual-sample wrapper and samplers."""
from .digits_lt import DigitsLT
from .dual_sample import DualSampleDataset
from .labels import (class_counts, get_class_counts, get_gt_labels,
                     get_num_classes)
from .long_tail import (indices_digest, long_tail_counts,
                        select_long_tail)
from .long_tailed_cifar import CIFAR10LT, CIFAR100LT
from .samplers import (ClassAwareSampler, ClassIndex, DualSampler,
                       epoch_rng, progressive_probs, rebalance_probs)

__all__ = [
    'CIFAR100LT', 'CIFAR10LT', 'ClassAwareSampler', 'ClassIndex', 'DigitsLT',
    'DualSampleDataset', 'DualSampler', 'class_counts', 'epoch_rng',
    'get_class_counts', 'get_gt_labels', 'get_num_classes',
    'indices_digest', 'long_tail_counts', 'progressive_probs',
    'rebalance_probs', 'select_long_tail'
]
