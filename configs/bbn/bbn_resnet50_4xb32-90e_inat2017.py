# BBN ResNet-50 on iNaturalist 2017, BBN's 1x schedule (the paper's
# 90 epochs, lr x0.1 at 60 and 80), batch 128 on 4 GPUs.
_base_ = [
    '../_base_/models/bbn_resnet50.py',
    '../_base_/datasets/inat2017.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/schedules/large_lt_bs128_90e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=5089))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs
default_hooks = dict(logger=dict(interval=100))
