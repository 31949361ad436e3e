# BBN ResNet-50 on ImageNet-LT, from scratch, with BBN's large-scale 1x
# schedule (90 epochs, lr 0.05 x0.1 at 60 and 80, batch 128 on 4 GPUs).
# The BBN paper has no ImageNet-LT run: see docs/large_datasets.md.
_base_ = [
    '../_base_/models/bbn_resnet50.py',
    '../_base_/datasets/imagenet_lt.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/schedules/large_lt_bs128_90e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=1000))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs
default_hooks = dict(logger=dict(interval=100))
