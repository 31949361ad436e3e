"""Losses of the long-tailed baselines; each learns the training-class
counts from :class:`ClassCountsHook` through ``set_class_counts``."""
from .class_count_loss import NORMALIZATIONS, ClassCountLoss
from .class_weights import (WEIGHTINGS, check_beta, class_weights,
                            ldam_margins, log_class_counts, log_class_prior)
from .ldam_loss import LDAMLoss
from .logit_adjusted_loss import BalancedSoftmaxLoss, LogitAdjustedLoss
from .reweighted_ce_loss import ReweightedCrossEntropyLoss
from .reweighted_focal_loss import (ReweightedFocalLoss, sigmoid_focal,
                                    softmax_focal)

__all__ = [
    'BalancedSoftmaxLoss', 'ClassCountLoss', 'LDAMLoss', 'LogitAdjustedLoss',
    'NORMALIZATIONS', 'ReweightedCrossEntropyLoss', 'ReweightedFocalLoss',
    'WEIGHTINGS', 'check_beta', 'class_weights', 'ldam_margins',
    'log_class_counts', 'log_class_prior', 'sigmoid_focal', 'softmax_focal'
]
