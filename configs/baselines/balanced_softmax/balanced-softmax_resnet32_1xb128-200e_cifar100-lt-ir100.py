# Balanced Softmax (Ren et al. 2020): cross-entropy of logits + log N_j,
# ResNet-32 on CIFAR-100-LT, imbalance factor 100, with Cao et al.'s CIFAR-LT
# schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar100_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(num_classes=100, loss=dict(type='BalancedSoftmaxLoss')))
