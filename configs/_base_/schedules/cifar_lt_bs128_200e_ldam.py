# The CIFAR-LT schedule of Cui et al. (2019) and Cao et al. (LDAM-DRW, 2019),
# which the re-weighting / re-sampling / loss baselines follow: 200 epochs,
# batch 128 on 1 GPU, SGD momentum 0.9 (no Nesterov), weight decay 2e-4,
# lr 0.1 reached by a linear warm-up over the first 5 epochs (lr x (e+1)/5
# at epoch e = 0..4), x0.01 at epoch 160 and again at 180 (Cao et al.'s
# adjust_learning_rate: 0.1, 1e-3, 1e-5). Epochs count from 0.
# BBN's own schedule differs (Nesterov, warm-up from lr/3, x0.01 at 120 and
# 160): see configs/_base_/schedules/cifar_lt_bs128_200e.py.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4, nesterov=False))
param_scheduler = [
    # Factors 0.2, 0.4, 0.6, 0.8, 1.0 at epochs 0..4.
    dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=5),
    dict(type='MultiStepLR', by_epoch=True, milestones=[160, 180],
         gamma=0.01),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
