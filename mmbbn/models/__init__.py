"""Models: backbones, the BBN neck, heads, classifier, preprocessor and
the losses of the long-tailed baselines."""
from .backbones import (BBNResNet, CifarBasicBlock, CifarResNet,
                        count_parameters)
from .classifiers import BBNClassifier
from .data_preprocessors import BBNDataPreprocessor
from .heads import (BBNHead, NormLinearClsHead, PostHocLinearClsHead,
                    mix_features)
from .losses import (BalancedSoftmaxLoss, ClassCountLoss, LDAMLoss,
                     LogitAdjustedLoss, ReweightedCrossEntropyLoss,
                     ReweightedFocalLoss, class_weights)
from .necks import BBNNeck
from .utils import BBNPretrained

__all__ = [
    'BBNClassifier', 'BBNDataPreprocessor', 'BBNHead', 'BBNNeck',
    'BBNPretrained', 'BBNResNet', 'BalancedSoftmaxLoss', 'CifarBasicBlock',
    'CifarResNet', 'ClassCountLoss', 'LDAMLoss', 'LogitAdjustedLoss',
    'NormLinearClsHead', 'PostHocLinearClsHead', 'ReweightedCrossEntropyLoss',
    'ReweightedFocalLoss', 'class_weights', 'count_parameters', 'mix_features'
]
