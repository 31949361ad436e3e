# The BBN paper's observation experiment (its Figure 1), stage 2: a frozen
# stage-1 representation under a re-initialised linear classifier trained
# with class-balanced re-sampling for 10 epochs (with the plain
# cross-entropy representation this is cRT, Kang et al. 2020).
_base_ = './stage2-ce_resnet32_1xb128-10e_cifar10-lt-ir50.py'
train_dataloader = dict(
    sampler=dict(type='ClassAwareSampler', rebalance='balanced'))
