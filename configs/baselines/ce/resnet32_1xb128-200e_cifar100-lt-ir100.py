# Plain cross-entropy ResNet-32 on CIFAR-100-LT, imbalance factor 100, with
# BBN's schedule: the CE row of the BBN paper's table.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar100_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e.py',
    '../../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=100))
