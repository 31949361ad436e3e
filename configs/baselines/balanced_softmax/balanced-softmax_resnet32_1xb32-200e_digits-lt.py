# Balanced Softmax (Ren et al. 2020): cross-entropy of logits + log N_j,
# ResNet-32 on Digits-LT, the BBN schedule shape of Digits-LT (the same
# budget for every method).
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/digits_lt.py',
    '../../_base_/schedules/digits_lt_bs32_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(in_channels=1),
    head=dict(num_classes=10, loss=dict(type='BalancedSoftmaxLoss')))
default_hooks = dict(logger=dict(interval=10))
