"""Backbones: the He et al. CIFAR ResNets and MMPretrain's ResNet, each able
to hold its last residual block out as the BBN trunk."""
from .bbn_resnet import BBNResNet
from .cifar_resnet import (CIFAR_DEPTHS, CifarBasicBlock, CifarResNet,
                           ZeroPadShortcut, cifar_weight_init,
                           count_parameters)

__all__ = [
    'BBNResNet', 'CIFAR_DEPTHS', 'CifarBasicBlock', 'CifarResNet',
    'ZeroPadShortcut', 'cifar_weight_init', 'count_parameters'
]
