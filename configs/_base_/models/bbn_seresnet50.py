# BBN on SE-ResNet-50, MMPretrain's seresnet50.py backbone: each branch is
# the last squeeze-and-excitation bottleneck, layer4.2 (2048 -> 2048).
_base_ = ['./bbn_resnet50.py']
model = dict(backbone=dict(type='SEResNet', depth=50))
