# BBN on ResNet-101: bbn_resnet50.py with 23 blocks in layer3; each branch
# is layer4.2 (2048 -> 512 -> 2048).
_base_ = ['./bbn_resnet50.py']
model = dict(backbone=dict(depth=101))
