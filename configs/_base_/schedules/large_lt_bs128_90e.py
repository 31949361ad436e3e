# BBN's large-scale "1x" schedule (paper, iNaturalist): 90 epochs, batch
# 128 (4 GPUs x 32), SGD with Nesterov momentum 0.9 and weight decay 1e-4,
# lr 0.05, x0.1 at epochs 60 and 80, no warm-up. (The official trainer
# steps its scheduler at the start of each epoch from 1, so its decays land
# one epoch earlier than MMEngine's MultiStepLR here.)
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4, nesterov=True))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[60, 80], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
