"""Backbones: the He et al. CIFAR ResNets, and the one protocol that holds
the last block of any supported backbone out as BBN's shared trunk."""
from .bbn_resnet import BBNResNet
from .cifar_resnet import (CIFAR_DEPTHS, CifarBasicBlock, CifarResNet,
                           ZeroPadShortcut, cifar_weight_init,
                           count_parameters)
from .trunk_split import (LastBlock, hold_out_last_block, register_split,
                          supported_backbones)

__all__ = [
    'BBNResNet', 'CIFAR_DEPTHS', 'CifarBasicBlock', 'CifarResNet',
    'LastBlock', 'ZeroPadShortcut', 'cifar_weight_init', 'count_parameters',
    'hold_out_last_block', 'register_split', 'supported_backbones'
]
