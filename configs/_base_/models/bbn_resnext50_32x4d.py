# BBN on ResNeXt-50 (32x4d), MMPretrain's resnext50_32x4d.py backbone:
# each branch is the last grouped bottleneck, layer4.2 (2048 -> 2048).
_base_ = ['./bbn_resnet50.py']
model = dict(
    backbone=dict(type='ResNeXt', depth=50, groups=32, width_per_group=4))
