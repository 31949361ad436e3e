"""Models: backbones, the BBN neck, head, classifier and preprocessor."""
from .backbones import (BBNResNet, CifarBasicBlock, CifarResNet,
                        count_parameters)
from .classifiers import BBNClassifier
from .data_preprocessors import BBNDataPreprocessor
from .heads import BBNHead, mix_features
from .necks import BBNNeck
from .utils import BBNPretrained

__all__ = [
    'BBNClassifier', 'BBNDataPreprocessor', 'BBNHead', 'BBNNeck',
    'BBNPretrained', 'BBNResNet', 'CifarBasicBlock', 'CifarResNet',
    'count_parameters', 'mix_features'
]
