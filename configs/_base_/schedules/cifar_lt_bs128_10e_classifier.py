# Classifier re-training on frozen features (stage 2 of cRT, Kang et al.
# 2020, and of the BBN paper's observation experiment) on CIFAR-LT: 10
# epochs of batch 128 (Kang et al. re-train the classifier for 10 epochs),
# SGD momentum 0.9, weight decay 2e-4, lr 0.1 cosine-annealed to 0.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=10, eta_min=0., by_epoch=True,
         begin=0, end=10)
]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
