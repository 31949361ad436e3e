# Plain cross-entropy ResNet-50 on ImageNet-LT, from scratch, same schedule
# as bbn_resnet50_4xb32-90e_imagenet-lt.py.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/imagenet_lt.py',
    '../../_base_/schedules/large_lt_bs128_90e.py',
    '../../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=1000))
default_hooks = dict(logger=dict(interval=100))
