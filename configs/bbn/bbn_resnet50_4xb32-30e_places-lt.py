# BBN ResNet-50 on Places-LT, fine-tuned from ImageNet weights as in the
# Places-LT literature (OLTR's recipe: 30 epochs, lr 0.01 x0.1 at 10 and
# 20, batch 128 on 4 GPUs). The BBN paper has no Places-LT run: see
# docs/large_datasets.md.
_base_ = [
    '../_base_/models/bbn_resnet50.py',
    '../_base_/datasets/places_lt.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/schedules/places_lt_bs128_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    # The trunk (stem, layer1..3, layer4.0-1) starts from torchvision's
    # ImageNet ResNet-50, both branch blocks from its layer4.2; its fc is
    # not used (the classifier starts fresh).
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(num_classes=365))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs
default_hooks = dict(logger=dict(interval=100))
