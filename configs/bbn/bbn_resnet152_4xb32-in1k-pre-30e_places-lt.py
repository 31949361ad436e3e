# BBN ResNet-152 on Places-LT, fine-tuned from ImageNet-1k weights as in
# Places-LT's standard protocol (OLTR: an ImageNet ResNet-152; model zoo:
# resnet152_8xb32_in1k, top-1 78.48), batch 128 (4 GPUs x 32).
#
# Schedule: OLTR's Places-LT stage-1 recipe (_base_/schedules/
# places_lt_bs128_30e.py: 30 epochs, SGD with Nesterov momentum 0.9 and
# weight decay 5e-4, lr 0.01, x0.1 at epochs 10 and 20), SGD as in
# ResNet's own MMPretrain config (resnet/resnet152_8xb32_in1k.py).
_base_ = [
    '../_base_/models/bbn_resnet152.py',
    '../_base_/datasets/places_lt.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/schedules/places_lt_bs128_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    # The trunk from the ImageNet ResNet-152; both branches from its last
    # bottleneck (layer4.2); the classifier starts fresh.
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet152_8xb32_in1k_20210901-4d7582fa.pth',
            prefix='backbone.')),
    head=dict(num_classes=365))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs
default_hooks = dict(logger=dict(interval=100))
