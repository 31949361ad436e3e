# Digits-LT: scikit-learn's bundled 8x8 handwritten digits (no download),
# split once with seed 0 into a balanced test split (50 per class) and a
# long-tailed training split (IF 20: 124 ... 6 images per class, 417 in all).
dataset_type = 'DigitsLT'
data_preprocessor = dict(
    num_classes=10,
    # Grey-level mean and std of the training split, on the 0-255 scale.
    mean=[78.35],
    std=[96.15],
    to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=8, padding=1),
    dict(type='PackInputs'),
]
# The test images are the data set's (grey); an image file read by MMCV
# (BGR colour, e.g. by ImageClassificationInferencer) is turned grey first.
test_pipeline = [
    dict(type='ConvertImageFile', color='gray'),
    dict(type='PackInputs'),
]

train_dataset = dict(
    type=dataset_type,
    split='train',
    imbalance_factor=20,
    pipeline=train_pipeline)
test_dataset = dict(type=dataset_type, split='test', pipeline=test_pipeline)

# default_collate stacks each batch in the workers, so the data
# preprocessor normalises one tensor instead of looping over images.
# SeededSampler gives every draw the seed of its augmentation and
# SeededDataset applies it, so the random transforms are a function of the
# run's seed and the position in training: the same after a resume, with
# any number of workers and on a rerun. BBN configs pair the draws
# (bbn_pairs.py).
train_dataloader = dict(
    collate_fn=dict(type='default_collate'),
    batch_size=32,
    num_workers=0,
    dataset=dict(type='SeededDataset', dataset=train_dataset),
    sampler=dict(type='SeededSampler', shuffle=True),
    drop_last=True)
val_dataloader = dict(
    collate_fn=dict(type='default_collate'),
    batch_size=250,
    num_workers=0,
    dataset=test_dataset,
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='LongTailMetric', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
