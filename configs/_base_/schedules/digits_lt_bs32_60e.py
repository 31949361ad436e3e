# A short schedule for Digits-LT on two CPU cores, shaped like BBN's CIFAR
# one: SGD + Nesterov, lr 0.1 with a 3-epoch warm-up from lr / 3, x0.1 at
# 60% and 80% of training.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=1 / 3, by_epoch=True, begin=0, end=3),
    dict(type='MultiStepLR', by_epoch=True, milestones=[36, 48], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=60, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)
