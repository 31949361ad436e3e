# The official BBN CIFAR schedule: 200 epochs, batch 128 on 1 GPU, SGD with
# Nesterov momentum 0.9 and weight decay 2e-4 on all parameters, lr 0.1
# with a 5-epoch linear warm-up from lr / 3, x0.01 at epochs 120 and 160.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=1 / 3, by_epoch=True, begin=0, end=5),
    dict(type='MultiStepLR', by_epoch=True, milestones=[120, 160],
         gamma=0.01),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
