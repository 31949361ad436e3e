# BBN on Swin-T at 224 px (MMPretrain's swin_transformer/tiny_224.py):
# trunk = patch embedding + stages 0..2 + the first block of stage 3; each
# branch = the 2nd (shifted-window) block of stage 3 (stages.3.blocks.1,
# 768 channels), then what Swin does after it, shared: the final LayerNorm
# (norm3) and global average pooling. One Linear over [f_c, f_r] (1536).
model = dict(
    type='BBNClassifier',
    backbone=dict(
        type='SwinTransformer', arch='tiny', img_size=224,
        drop_path_rate=0.2),
    neck=dict(type='BBNNeck'),
    head=dict(
        type='BBNHead',
        num_classes=1000,  # set by each config
        in_channels=1536,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # MMPretrain's Swin initialisation (for training from scratch).
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ],
    # joint_pass: default, one joint trunk pass (exact: no BatchNorm).
)
# Cumulative learning: alpha = 1 - (epoch / T) ** 2, T = max epochs.
custom_hooks = [dict(type='CumulativeAlphaHook', schedule='parabolic_decay')]
