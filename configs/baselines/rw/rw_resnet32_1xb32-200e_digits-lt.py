# Re-weighting (RW): cross-entropy weighted by inverse class frequency,
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
    head=dict(
        num_classes=10,
        # w_i ~ 1 / N_i, normalised to sum C; counts come from the training
        # set (ClassCountsHook in default_runtime.py).
        loss=dict(type='ReweightedCrossEntropyLoss', weighting='inverse')))
default_hooks = dict(logger=dict(interval=10))
