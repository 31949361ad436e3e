"""The long-tailed baselines' losses, which know the training-class counts."""
from .class_count_loss import (NORMALIZATIONS, WEIGHTINGS, ClassCountLoss,
                               ReweightedCrossEntropyLoss, ReweightedFocalLoss,
                               check_beta, class_weights, ldam_margins,
                               log_class_counts, log_class_prior,
                               sigmoid_focal, softmax_focal)
from .logit_adjusted_loss import (BalancedSoftmaxLoss, LDAMLoss,
                                  LogitAdjustedLoss)

__all__ = [
    'BalancedSoftmaxLoss', 'ClassCountLoss', 'LDAMLoss', 'LogitAdjustedLoss',
    'NORMALIZATIONS', 'ReweightedCrossEntropyLoss', 'ReweightedFocalLoss',
    'WEIGHTINGS', 'check_beta', 'class_weights', 'ldam_margins',
    'log_class_counts', 'log_class_prior', 'sigmoid_focal', 'softmax_focal'
]
