# BBN ResNet-32 on CIFAR-100-LT, imbalance factor 100, the official schedule.
_base_ = [
    '../_base_/models/bbn_resnet32_cifar.py',
    '../_base_/datasets/cifar100_lt.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/schedules/cifar_lt_bs128_200e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=100))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs
