# CE-DRW (Cao et al. 2019): cross-entropy, class-balanced weights (effective
# number, beta 0.9999) from epoch 160, ResNet-32 on CIFAR-10-LT, imbalance
# factor 100, with Cao et al.'s CIFAR-LT schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar10_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=10,
        loss=dict(
            type='ReweightedCrossEntropyLoss',
            weighting='effective_number',
            beta=0.9999)))
# Weights off for epochs 0..159, on from 160 (Cao et al.: epoch // 160).
custom_hooks = [dict(type='DeferredReweightingHook', switch_epoch=160)]
