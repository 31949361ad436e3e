"""Models: backbones, BBN neck, heads, classifier, preprocessors, losses."""
from .backbones import (BBNResNet, CifarBasicBlock, CifarResNet, LastBlock,
                        count_parameters, hold_out_last_block,
                        register_split, supported_backbones)
from .classifiers import BBNClassifier
from .data_preprocessors import BBNDataPreprocessor
from .heads import (BBNHead, NormLinearClsHead, PostHocLinearClsHead,
                    mix_features)
from .losses import (BalancedSoftmaxLoss, ClassCountLoss, LDAMLoss,
                     LogitAdjustedLoss, ReweightedCrossEntropyLoss,
                     ReweightedFocalLoss, class_weights)
from .necks import BBNNeck

__all__ = [
    'BBNClassifier', 'BBNDataPreprocessor', 'BBNHead', 'BBNNeck', 'BBNResNet',
    'BalancedSoftmaxLoss', 'CifarBasicBlock', 'CifarResNet', 'ClassCountLoss',
    'LDAMLoss', 'LastBlock', 'LogitAdjustedLoss', 'NormLinearClsHead',
    'PostHocLinearClsHead', 'ReweightedCrossEntropyLoss',
    'ReweightedFocalLoss', 'class_weights', 'count_parameters',
    'hold_out_last_block', 'mix_features', 'register_split',
    'supported_backbones'
]
