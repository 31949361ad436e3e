# LDAM-DRW (Cao et al. 2019): LDAM loss on a cosine classifier (s = 30, max
# margin 0.5), effective-number weights from epoch 160, ResNet-32 on
# Digits-LT, the BBN schedule shape of Digits-LT (the same budget for every
# method).
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/digits_lt.py',
    '../../_base_/schedules/digits_lt_bs32_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(in_channels=1),
    head=dict(
        type='NormLinearClsHead',
        num_classes=10,
        scale=30.0,
        loss=dict(
            type='LDAMLoss',
            max_margin=0.5,
            scale=30.0,
            weighting='effective_number',
            beta=0.9999)))
custom_hooks = [dict(type='DeferredReweightingHook', switch_epoch=160)]
default_hooks = dict(logger=dict(interval=10))
