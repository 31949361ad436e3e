# RS ResNet-32 on CIFAR-10-LT, imbalance factor 50.
_base_ = './rs_resnet32_1xb128-200e_cifar10-lt-ir100.py'
train_dataloader = dict(dataset=dict(dataset=dict(imbalance_factor=50)))
