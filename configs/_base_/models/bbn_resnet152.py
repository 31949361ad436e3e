# BBN on ResNet-152 (Places-LT's standard backbone): bbn_resnet50.py with
# 8 blocks in layer2 and 36 in layer3; each branch is layer4.2.
_base_ = ['./bbn_resnet50.py']
model = dict(backbone=dict(depth=152))
