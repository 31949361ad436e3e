# Logit-adjusted loss (Menon et al. 2021): cross-entropy of logits + tau log
# pi_j, tau = 1, ResNet-32 on CIFAR-100-LT, imbalance factor 100, with Cao et
# al.'s CIFAR-LT schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar100_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=100, loss=dict(type='LogitAdjustedLoss', tau=1.0)))
