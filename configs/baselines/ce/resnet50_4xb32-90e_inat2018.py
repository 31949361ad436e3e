# Plain cross-entropy ResNet-50 on iNaturalist 2018 with BBN's 1x
# schedule (the paper's 90 epochs, lr x0.1 at 60 and 80), batch 128
# on 4 GPUs: the CE row for bbn_resnet50_4xb32-90e_inat2018.py.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/inat2018.py',
    '../../_base_/schedules/large_lt_bs128_90e.py',
    '../../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=8142))
default_hooks = dict(logger=dict(interval=100))
