# Plain ResNet-50 with a linear classifier: the cross-entropy baseline of
# the BBN ResNet-50 configs (same trunk, same data, same schedule).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,  # set by each config
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        # PyTorch's default nn.Linear init, as in the BBN code's baselines.
        init_cfg=None),
)
