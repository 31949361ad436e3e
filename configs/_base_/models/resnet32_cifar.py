# Plain ResNet-32 (He et al.) with a linear classifier: the CE baseline.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CifarResNet', depth=32),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        # PyTorch's default nn.Linear init, as in the BBN code's baselines.
        init_cfg=None),
)
