# cRT (Kang et al. 2020) on Digits-LT: the backbone of the plain
# cross-entropy ResNet-32, frozen (BatchNorm statistics included), under a
# new linear classifier trained with class-balanced sampling.
# Stage 1 is stage1_config; train it first (tools/train.py with its default
# work dir), or let tools/benchmarks/compare_methods.py run both stages.
_base_ = [
    '../_base_/models/resnet32_cifar.py',
    '../_base_/datasets/digits_lt.py',
    '../_base_/schedules/digits_lt_bs32_30e_classifier.py',
    '../_base_/default_runtime.py',
]
stage1_config = '../baselines/ce/resnet32_1xb32-200e_digits-lt.py'
model = dict(
    backbone=dict(
        in_channels=1,
        # The stem and all three stages: no gradient, BatchNorm in eval.
        frozen_stages=3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/resnet32_1xb32-200e_digits-lt/'
            'epoch_200.pth',
            prefix='backbone.')),
    # Re-initialised: only the backbone is loaded.
    head=dict(num_classes=10))
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='balanced'))
default_hooks = dict(logger=dict(interval=10))
