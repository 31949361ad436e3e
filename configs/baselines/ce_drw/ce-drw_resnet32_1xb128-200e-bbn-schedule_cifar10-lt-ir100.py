# CE-DRW on BBN's official CIFAR schedule (lr x0.01 from the official
# epochs 120 and 160, MMEngine's 0-based 119 and 159) instead of Cao et al.'s
# (x0.01 at 160 and 180): the re-weighting starts where the lr first drops
# (0-based epoch 119), as DRW starts with Cao et al.'s first drop. Used to
# compare BBN, CE and CE-DRW under one schedule (configs/bbn/README.md).
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar10_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=10,
        loss=dict(
            type='ReweightedCrossEntropyLoss',
            weighting='effective_number',
            beta=0.9999)))
custom_hooks = [dict(type='DeferredReweightingHook', switch_epoch=119)]
