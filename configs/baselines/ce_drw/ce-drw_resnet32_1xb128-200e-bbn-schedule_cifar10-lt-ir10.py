# CE-DRW on BBN's official CIFAR schedule, CIFAR-10-LT, imbalance factor 10.
_base_ = './ce-drw_resnet32_1xb128-200e-bbn-schedule_cifar10-lt-ir100.py'
train_dataloader = dict(dataset=dict(dataset=dict(imbalance_factor=10)))
