# BBN on ConvNeXt-T (MMPretrain's convnext/convnext-tiny.py backbone):
# trunk = stem + stages 0..2 + the first 2 blocks of stage 3; each branch =
# the 3rd block of stage 3 (stages.3.2, 768 channels), then what ConvNeXt
# does after it, shared: global average pooling and the final LayerNorm
# (norm3). One Linear over [f_c, f_r] (2 x 768 = 1536 channels).
model = dict(
    type='BBNClassifier',
    backbone=dict(type='ConvNeXt', arch='tiny', drop_path_rate=0.1),
    neck=dict(type='BBNNeck'),
    head=dict(
        type='BBNHead',
        num_classes=1000,  # set by each config
        in_channels=1536,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # joint_pass is left to its default: one joint trunk pass, exact here
    # (LayerNorm has no batch statistics).
)
# Cumulative learning: alpha = 1 - (epoch / T) ** 2, T = max epochs.
custom_hooks = [dict(type='CumulativeAlphaHook', schedule='parabolic_decay')]
