# Re-weighting (RW): cross-entropy weighted by inverse class frequency,
# ResNet-32 on CIFAR-10-LT, imbalance factor 100, with Cao et al.'s CIFAR-LT
# schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar10_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=10,
        # w_i ~ 1 / N_i, normalised to sum C; counts come from the training
        # set (ClassCountsHook in default_runtime.py).
        loss=dict(type='ReweightedCrossEntropyLoss', weighting='inverse')))
