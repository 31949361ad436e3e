# Progressively-balanced sampling (Kang et al. 2020): p_j(t) = (1 - t/T) N_j
# / N + (t/T) / C, ResNet-32 on Digits-LT, the BBN schedule shape of
# Digits-LT (the same budget for every method).
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/digits_lt.py',
    '../../_base_/schedules/digits_lt_bs32_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(backbone=dict(in_channels=1), head=dict(num_classes=10))
# T is the run's max_epochs.
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='progressive'))
default_hooks = dict(logger=dict(interval=10))
