# BBN's large-scale "2x" schedule (the official iNaturalist configs): 180
# epochs, batch 128 (4 GPUs x 32), SGD with Nesterov momentum 0.9 and
# weight decay 1e-4, lr 0.05, x0.1 at epochs 120 and 160, no warm-up.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4, nesterov=True))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[120, 160],
         gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=180, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
