# BBN on ViT-B/16 at 224 px (MMPretrain's vision_transformer/
# vit-base-p16_32xb128-mae_in1k.py backbone): trunk = patch embedding,
# class token, position embedding + encoder layers 0..10; each branch = the
# 12th encoder layer (layers.11, 768 channels), then what ViT does after
# it, shared: the final LayerNorm (ln1) and the class token. One Linear
# over [f_c, f_r] (2 x 768 = 1536 channels).
model = dict(
    type='BBNClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='base',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1),
    neck=dict(type='BBNNeck'),
    head=dict(
        type='BBNHead',
        num_classes=1000,  # set by each config
        in_channels=1536,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # MMPretrain's ViT initialisation (for training from scratch).
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=.02),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
    ],
    # joint_pass: default, one joint trunk pass (exact: no BatchNorm).
)
# Cumulative learning: alpha = 1 - (epoch / T) ** 2, T = max epochs.
custom_hooks = [dict(type='CumulativeAlphaHook', schedule='parabolic_decay')]
