# The BBN paper's observation experiment (its Figure 1), stage 1: learn the
# representation with class-balanced re-sampling. ResNet-32 on
# CIFAR-10-LT, imbalance factor 50.
_base_ = './stage1-ce_resnet32_1xb128-200e_cifar10-lt-ir50.py'
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='balanced'))
