# Places-LT fine-tuning from ImageNet weights (BBN published no Places-LT
# run; this follows OLTR's Places-LT stage-1 recipe with BBN's optimiser):
# 30 epochs, batch 128 (4 GPUs x 32), SGD with Nesterov momentum 0.9 and
# weight decay 5e-4, lr 0.01, x0.1 at epochs 10 and 20.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[10, 20], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
