"""Backbones and the protocol that splits off BBN's shared trunk."""
from .resnet import (CIFAR_DEPTHS, BBNResNet, CifarBasicBlock, CifarResNet,
                     ZeroPadShortcut, cifar_weight_init, count_parameters)
from .trunk_split import (LastBlock, hold_out_last_block, register_split,
                          supported_backbones)

__all__ = [
    'BBNResNet', 'CIFAR_DEPTHS', 'CifarBasicBlock', 'CifarResNet',
    'LastBlock', 'ZeroPadShortcut', 'cifar_weight_init', 'count_parameters',
    'hold_out_last_block', 'register_split', 'supported_backbones'
]
