# BBN ResNet-32 on Digits-LT: the main job, about two minutes on two CPU
# cores.
_base_ = [
    '../_base_/models/bbn_resnet32_cifar.py',
    '../_base_/datasets/digits_lt.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/schedules/digits_lt_bs32_200e.py',
    '../_base_/default_runtime.py',
]
model = dict(backbone=dict(in_channels=1), head=dict(num_classes=10))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs
default_hooks = dict(logger=dict(interval=10))
