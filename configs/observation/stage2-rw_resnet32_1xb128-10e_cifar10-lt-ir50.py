# The BBN paper's observation experiment (its Figure 1), stage 2: a frozen
# stage-1 representation under a re-initialised linear classifier trained
# with re-weighting (inverse class frequency) for 10 epochs.
_base_ = './stage2-ce_resnet32_1xb128-10e_cifar10-lt-ir50.py'
model = dict(
    head=dict(
        loss=dict(type='ReweightedCrossEntropyLoss', weighting='inverse')))
