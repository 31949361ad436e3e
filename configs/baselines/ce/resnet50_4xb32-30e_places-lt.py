# Plain cross-entropy ResNet-50 on Places-LT, fine-tuned from torchvision's
# ImageNet ResNet-50 with the schedule of bbn_resnet50_4xb32-30e_places-lt.py.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/places_lt.py',
    '../../_base_/schedules/places_lt_bs128_30e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(num_classes=365))
default_hooks = dict(logger=dict(interval=100))
