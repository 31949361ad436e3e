# BBN ViT-B/16 on iNaturalist 2018, fine-tuned from ImageNet-1k weights
# (OpenMMLab model zoo: vit-base-p16_32xb128-mae_in1k, a supervised
# ViT-B/16 at 224 px, top-1 82.37), batch 128 (4 GPUs x 32).
#
# Schedule: MMPretrain's ViT-B/16 fine-tuning recipe, mae/benchmarks/
# vit-base-p16_8xb128-coslr-100e_in1k.py: AdamW, betas (0.9, 0.999),
# weight decay 0.05 and none on LayerNorms, biases, class token and
# position embedding; layer-wise lr decay 0.65
# (LearningRateDecayOptimWrapperConstructor; each branch decays as the
# layer it copies, layers.11); linear warm-up over 5 epochs from 1e-4 x lr,
# cosine to 1e-6 until epoch 100; lr 2e-3 for a batch of 1024, scaled
# linearly to 128 (2.5e-4). Not kept: that recipe's RandAugment, random
# erasing, Mixup/CutMix and label smoothing (BBN's own augmentation and
# loss, as in the ResNet configs).
_base_ = [
    '../_base_/models/bbn_vit-base-p16.py',
    '../_base_/datasets/inat2018.py',
    '../_base_/datasets/bbn_pairs.py',
    '../_base_/default_runtime.py',
]
model = dict(
    # The trunk from the ImageNet model; both branches from its last layer
    # (layers.11), the shared final norm from its ln1; the classifier
    # starts fresh.
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'vit/vit-base-p16_pt-32xb128-mae_in1k_20220623-4c544545.pth',
            prefix='backbone.')),
    head=dict(num_classes=8142))
# Pairs: a uniformly drawn item and a reversed-sampler item (P_i ~ 1 / N_i).
train_dataloader = _base_.bbn_pairs

optim_wrapper = dict(
    optimizer=dict(
        type='AdamW',
        lr=2e-3 * 128 / 1024,
        weight_decay=0.05,
        betas=(0.9, 0.999)),
    constructor='LearningRateDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.65,
        custom_keys={
            '.ln': dict(decay_mult=0.0),
            '.bias': dict(decay_mult=0.0),
            '.cls_token': dict(decay_mult=0.0),
            '.pos_embed': dict(decay_mult=0.0)
        }))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=95,
        by_epoch=True,
        begin=5,
        end=100,
        eta_min=1e-6,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(logger=dict(interval=100))
