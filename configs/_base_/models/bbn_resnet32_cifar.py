# BBN on the He et al. ResNet-32: trunk = stem + 3 stages minus the last
# block; each branch = that block (64 -> 64) + global average pooling.
model = dict(
    type='BBNClassifier',
    # BBNClassifier holds the last block (layer3.4) out of the backbone.
    backbone=dict(type='CifarResNet', depth=32),
    # Gets the held-out block from the classifier: two copies + pooling.
    neck=dict(type='BBNNeck'),
    head=dict(
        type='BBNHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # True: one concatenated trunk pass (changes BatchNorm statistics).
    joint_pass=False,
)
# Cumulative learning: alpha = 1 - (epoch / T) ** 2, set every iteration.
custom_hooks = [dict(type='CumulativeAlphaHook', schedule='parabolic_decay')]
