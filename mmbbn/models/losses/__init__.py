"""Losses of the long-tailed baselines; each learns the training-class
counts from :class:`ClassCountsHook` through ``set_class_counts``."""
from .class_count_loss import (NORMALIZATIONS, ClassCountLoss,
                               ReweightedCrossEntropyLoss)
from .class_weights import (WEIGHTINGS, check_beta, class_weights,
                            ldam_margins, log_class_counts, log_class_prior)
from .logit_adjusted_loss import (BalancedSoftmaxLoss, LDAMLoss,
                                  LogitAdjustedLoss)
from .reweighted_focal_loss import (ReweightedFocalLoss, sigmoid_focal,
                                    softmax_focal)

__all__ = [
    'BalancedSoftmaxLoss', 'ClassCountLoss', 'LDAMLoss', 'LogitAdjustedLoss',
    'NORMALIZATIONS', 'ReweightedCrossEntropyLoss', 'ReweightedFocalLoss',
    'WEIGHTINGS', 'check_beta', 'class_weights', 'ldam_margins',
    'log_class_counts', 'log_class_prior', 'sigmoid_focal', 'softmax_focal'
]
