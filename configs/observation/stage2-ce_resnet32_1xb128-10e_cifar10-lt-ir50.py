# The BBN paper's observation experiment (its Figure 1), stage 2: freeze a
# stage-1 representation (every convolution and BatchNorm, statistics
# included) and train a re-initialised linear classifier with plain
# cross-entropy for 10 epochs. tools/observation_experiment.py points
# the backbone's Pretrained checkpoint at each stage-1 run; by default it
# is the plain cross-entropy representation (stage1_config).
_base_ = [
    '../_base_/models/resnet32_cifar.py',
    '../_base_/datasets/cifar10_lt.py',
    '../_base_/schedules/cifar_lt_bs128_10e_classifier.py',
    '../_base_/default_runtime.py',
]
stage1_config = './stage1-ce_resnet32_1xb128-200e_cifar10-lt-ir50.py'
model = dict(
    backbone=dict(
        frozen_stages=3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/stage1-ce_resnet32_1xb128-200e_'
            'cifar10-lt-ir50/epoch_200.pth',
            prefix='backbone.')),
    head=dict(num_classes=10))
train_dataloader = dict(dataset=dict(dataset=dict(imbalance_factor=50)))
