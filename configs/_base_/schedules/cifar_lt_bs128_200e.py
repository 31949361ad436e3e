# The official BBN CIFAR schedule, epoch by epoch: 200 epochs, batch 128 on
# 1 GPU, SGD with Nesterov momentum 0.9 and weight decay 2e-4 on all
# parameters, lr 0.1, a linear warm-up and x0.01 twice.
# The official trainer (WarmupMultiStepLR, warm-up 5 epochs from lr / 3,
# steps [120, 160]) steps its scheduler at the start of every epoch counted
# from 1, so epoch e (from 1) trains at lr 0.1 * w(e) * 0.01 ** k(e):
# w(e) = 1/3 + (2/3) e / 5 for e < 5 (0.0467, 0.06, 0.0733, 0.0867), else 1;
# k(e) = 0, 1, 2 from epochs 1, 120, 160. In MMEngine's 0-based epochs that
# is the warm-up from 7/15 over epochs 0..4 and the decays at 119 and 159.
# The same schedule read with 0-based epochs (warm-up from lr / 3, decays
# one epoch later) is cifar_lt_bs128_200e_zero_based.py.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4, nesterov=True))
param_scheduler = [
    # Factors 7/15, 9/15, 11/15, 13/15, 1 at epochs 0..4.
    dict(type='LinearLR', start_factor=7 / 15, by_epoch=True, begin=0,
         end=5),
    dict(type='MultiStepLR', by_epoch=True, milestones=[119, 159],
         gamma=0.01),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
