# CE-DRS (Cao et al. 2019): cross-entropy, class-balanced re-sampling from
# epoch 160, ResNet-32 on CIFAR-100-LT, imbalance factor 100, with Cao et
# al.'s CIFAR-LT schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar100_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=100))
# A plain shuffled pass until epoch 159, class-balanced draws from 160.
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='shuffle'))
custom_hooks = [
    dict(type='DeferredResamplingHook', switch_epoch=160,
         rebalance='balanced')
]
