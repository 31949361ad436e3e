# Logit-adjusted loss (Menon et al. 2021): cross-entropy of logits + tau log
# pi_j, tau = 1, ResNet-32 on Digits-LT, the BBN schedule shape of Digits-LT
# (the same budget for every method).
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/digits_lt.py',
    '../../_base_/schedules/digits_lt_bs32_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(in_channels=1),
    head=dict(
        num_classes=10, loss=dict(type='LogitAdjustedLoss', tau=1.0)))
default_hooks = dict(logger=dict(interval=10))
