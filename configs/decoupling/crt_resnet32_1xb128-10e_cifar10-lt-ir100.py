# cRT (Kang et al. 2020) on CIFAR-10-LT, imbalance factor 100: the backbone
# of the plain cross-entropy ResNet-32, frozen (BatchNorm statistics
# included), under a new linear classifier trained for 10 epochs with
# class-balanced sampling.
# Stage 1 is stage1_config; train it first (tools/train.py with its default
# work dir), or let tools/benchmarks/compare_methods.py run both stages.
_base_ = [
    '../_base_/models/resnet32_cifar.py',
    '../_base_/datasets/cifar10_lt.py',
    '../_base_/schedules/cifar_lt_bs128_10e_classifier.py',
    '../_base_/default_runtime.py',
]
stage1_config = '../baselines/ce/resnet32_1xb128-200e_cifar10-lt-ir100.py'
model = dict(
    backbone=dict(
        frozen_stages=3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/resnet32_1xb128-200e_cifar10-lt-ir100/'
            'epoch_200.pth',
            prefix='backbone.')),
    head=dict(num_classes=10))
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='balanced'))
