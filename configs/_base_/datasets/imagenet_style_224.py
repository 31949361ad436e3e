# What every 224x224 long-tailed set here shares: BBN's ImageNet-style
# augmentation (official iNaturalist config: RandomResizedCrop(224) with
# scale (0.08, 1) and ratio (3/4, 4/3), horizontal flip; test: shorter side
# to 256 = 224 / 0.875, centre crop 224) and ImageNet's mean and std.
# Images are read by LoadImageFromFile (BGR) and flipped to RGB by the data
# preprocessor. Each data set config sets num_classes and the data sets.
data_preprocessor = dict(
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

# Many/medium/few: > 100, 20..100, < 20 training images (counts from the
# training set of the same config, by LongTailMetricHook).
val_evaluator = dict(type='LongTailMetric', topk=(1, 5))
test_evaluator = val_evaluator
