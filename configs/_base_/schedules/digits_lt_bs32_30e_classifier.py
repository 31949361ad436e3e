# Classifier re-training on frozen features (stage 2 of cRT and of the BBN
# paper's observation experiment) on Digits-LT: 30 epochs of batch 32,
# SGD momentum 0.9, weight decay 2e-4, lr 0.1 cosine-annealed to 0.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=30, eta_min=0., by_epoch=True,
         begin=0, end=30)
]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)
