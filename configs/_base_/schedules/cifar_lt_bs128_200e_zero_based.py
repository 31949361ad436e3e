# BBN's CIFAR schedule with its epochs read as MMEngine's 0-based ones (the
# default of mmbbn before the official epoch-by-epoch schedule): lr 0.1 with
# a 5-epoch linear warm-up from lr / 3 at epoch 0, x0.01 at 0-based epochs
# 120 and 160, i.e. one epoch later than the official trainer, whose
# schedule is cifar_lt_bs128_200e.py. 200 epochs, batch 128, SGD with
# Nesterov momentum 0.9, weight decay 2e-4.
_base_ = ['./cifar_lt_bs128_200e.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=1 / 3, by_epoch=True, begin=0, end=5),
    dict(type='MultiStepLR', by_epoch=True, milestones=[120, 160],
         gamma=0.01),
]
