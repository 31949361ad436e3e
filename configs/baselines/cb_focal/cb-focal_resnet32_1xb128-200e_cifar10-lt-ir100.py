# CB-Focal (Cui et al. 2019): sigmoid focal loss (gamma 1) with
# effective-number class weights (beta 0.9999), ResNet-32 on CIFAR-10-LT,
# imbalance factor 100, with Cao et al.'s CIFAR-LT schedule.
_base_ = [
    '../../_base_/models/resnet32_cifar.py',
    '../../_base_/datasets/cifar10_lt.py',
    '../../_base_/schedules/cifar_lt_bs128_200e_ldam.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=10,
        loss=dict(
            type='ReweightedFocalLoss',
            gamma=1.0,
            use_sigmoid=True,
            weighting='effective_number',
            beta=0.9999),
        # Cui et al.: the classifier bias starts at -log((1 - pi) / pi),
        # pi = 0.1, so the sigmoids start near the prior.
        init_cfg=dict(
            _delete_=True, type='Normal', layer='Linear', std=0.01,
            bias_prob=0.1)))
# Cui et al. leave the classifier bias out of weight decay (sigmoid losses).
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'head.fc.bias': dict(decay_mult=0.)}))
