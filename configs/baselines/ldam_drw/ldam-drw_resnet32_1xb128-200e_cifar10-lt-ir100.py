# LDAM-DRW (Cao et al. 2019): LDAM loss on a cosine classifier (s = 30, max
# margin 0.5), effective-number weights from epoch 160, ResNet-32 on
# CIFAR-10-LT, imbalance factor 100, with Cao et al.'s CIFAR-LT schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar10_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(
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
