# BBN's CIFAR schedule shape on Digits-LT (batch 32, two CPU cores):
# 200 epochs, SGD + Nesterov, lr 0.1 with a 5-epoch warm-up from lr / 3,
# x0.1 at epochs 120 and 160.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=1 / 3, by_epoch=True, begin=0, end=5),
    dict(type='MultiStepLR', by_epoch=True, milestones=[120, 160],
         gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)
