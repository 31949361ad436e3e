# Plain cross-entropy ResNet-50 on iNaturalist 2017 with BBN's 2x
# schedule (the official config: 180 epochs, lr x0.1 at 120 and
# 160), batch 128 on 4 GPUs: the CE row for
# bbn_resnet50_4xb32-180e_inat2017.py.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/inat2017.py',
    '../../_base_/schedules/large_lt_bs128_180e.py',
    '../../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=5089))
default_hooks = dict(logger=dict(interval=100))
