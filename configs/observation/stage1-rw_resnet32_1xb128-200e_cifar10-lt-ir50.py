# The BBN paper's observation experiment (its Figure 1), stage 1: learn the
# representation with re-weighting (cross-entropy weighted by inverse class
# frequency). ResNet-32 on CIFAR-10-LT, imbalance factor 50.
_base_ = './stage1-ce_resnet32_1xb128-200e_cifar10-lt-ir50.py'
model = dict(
    head=dict(
        loss=dict(type='ReweightedCrossEntropyLoss', weighting='inverse')))
