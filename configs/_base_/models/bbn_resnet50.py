# BBN on ResNet-50 (MMPretrain's, torchvision key layout), trained from
# scratch as in the official iNaturalist runs: trunk = stem + layer1..3 +
# layer4's first two bottlenecks; each branch = the third bottleneck
# (2048 -> 512 -> 2048, held out of the backbone by BBNClassifier, one copy
# per branch) + global average pooling; one Linear over [f_c, f_r]
# (2 x 2048 = 4096 channels).
model = dict(
    type='BBNClassifier',
    backbone=dict(type='ResNet', depth=50),
    neck=dict(type='BBNNeck'),
    head=dict(
        type='BBNHead',
        num_classes=1000,  # set by each config
        in_channels=4096,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # True: one concatenated trunk pass (changes BatchNorm statistics).
    joint_pass=False,
)
# Cumulative learning: alpha = 1 - (epoch / T) ** 2, T = max epochs.
# official_t_quirk=True uses the official code's T (100 for 90 epochs, 200
# for 180), which ends its iNaturalist runs at alpha ~0.2 instead of ~0.02.
custom_hooks = [
    dict(
        type='CumulativeAlphaHook',
        schedule='parabolic_decay',
        official_t_quirk=False)
]
