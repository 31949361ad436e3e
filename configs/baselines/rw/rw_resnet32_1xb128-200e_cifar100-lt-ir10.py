# RW ResNet-32 on CIFAR-100-LT, imbalance factor 10.
_base_ = './rw_resnet32_1xb128-200e_cifar100-lt-ir100.py'
train_dataloader = dict(dataset=dict(dataset=dict(imbalance_factor=10)))
