# BBN ConvNeXt-T on iNaturalist 2018, fine-tuned from ImageNet-1k weights
# (OpenMMLab model zoo: convnext-tiny_32xb128_in1k, top-1 82.14), batch 128
# (4 GPUs x 32).
#
# Schedule: ConvNeXt's own MMPretrain recipe, convnext/
# convnext-tiny_32xb128_in1k.py with _base_/schedules/
# imagenet_bs1024_adamw_swin.py (AdamW, betas (0.9, 0.999), eps 1e-8,
# weight decay 0.05 and none on norms, biases and other 1-d parameters;
# linear warm-up from 1e-3 x lr, then cosine; lr 4e-3 for a batch of 4096,
# no layer-wise decay), shortened for fine-tuning: 100 epochs, 5 of
# warm-up, lr and final lr scaled linearly to the batch of 128 (4e-3 x
# 128 / 4096 = 1.25e-4; 1e-5 x 128 / 4096). Not kept: the recipe's EMA and
# Mixup/CutMix (batch mixing of BranchPair halves is not defined).
_base_ = [
    '../_base_/models/bbn_convnext-tiny.py',
    '../_base_/datasets/inat2018.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/default_runtime.py',
]
model = dict(
    # The trunk from the ImageNet model; both branches from its last block
    # (stages.3.2) and the shared final norm from its norm3; the classifier
    # starts fresh.
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'convnext/convnext-tiny_32xb128_in1k_20221207-998cf3e9.pth',
            prefix='backbone.')),
    head=dict(num_classes=8142))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs

optim_wrapper = dict(
    optimizer=dict(
        type='AdamW',
        lr=4e-3 * 128 / 4096,
        weight_decay=0.05,
        eps=1e-8,
        betas=(0.9, 0.999)),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5 * 128 / 4096,
        by_epoch=True,
        begin=5,
        end=100,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(logger=dict(interval=100))
