# Re-sampling (RS): class-balanced sampling (a class uniformly, then one of
# its images), ResNet-32 on CIFAR-10-LT, imbalance factor 100, with Cao et
# al.'s CIFAR-LT schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar10_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=10))
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='balanced'))
