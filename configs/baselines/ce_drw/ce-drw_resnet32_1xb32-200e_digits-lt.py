# CE-DRW (Cao et al. 2019): cross-entropy, class-balanced weights (effective
# number, beta 0.9999) from epoch 160, ResNet-32 on Digits-LT, the BBN
# schedule shape of Digits-LT (the same budget for every method).
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/digits_lt.py',
    '../../_base_/schedules/digits_lt_bs32_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(in_channels=1),
    head=dict(
        num_classes=10,
        loss=dict(
            type='ReweightedCrossEntropyLoss',
            weighting='effective_number',
            beta=0.9999)))
# Weights off for epochs 0..159, on from 160 (Cao et al.: epoch // 160).
custom_hooks = [dict(type='DeferredReweightingHook', switch_epoch=160)]
default_hooks = dict(logger=dict(interval=10))
