# The BBN paper's observation experiment (its Figure 1), stage 1: learn the
# representation with plain cross-entropy. ResNet-32 on CIFAR-10-LT,
# imbalance factor 50, BBN's CIFAR schedule. Run the whole 3 x 3 grid with
# tools/observation_experiment.py (see configs/observation/README.md).
_base_ = [
    '../_base_/models/resnet32_cifar.py',
    '../_base_/datasets/cifar10_lt.py',
    '../_base_/schedules/cifar_lt_bs128_200e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10))
train_dataloader = dict(dataset=dict(dataset=dict(imbalance_factor=50)))
