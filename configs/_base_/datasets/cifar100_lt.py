# CIFAR-100-LT (LDAM-DRW generator, seed 0) for training, the balanced
# CIFAR-100 test set for validation and testing. Files are read from
# data/cifar100/cifar-100-python; nothing is downloaded. For a re-encoded
# copy (other md5 sums) set check_md5=False in both data sets.
dataset_type = 'CIFAR100LT'
data_root = 'data/cifar100'
data_preprocessor = dict(
    num_classes=100,
    # RGB mean and std of CIFAR used by BBN, on the 0-255 scale; the
    # images are RGB, as MMPretrain's CIFAR10 gives them.
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# The test images are the data set's (RGB); an image file read by MMCV
# (BGR, e.g. by ImageClassificationInferencer) is turned to RGB first.
test_pipeline = [
    dict(type='ConvertImageFile', color='rgb'),
    dict(type='PackInputs'),
]

train_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='train',
    imbalance_factor=100,
    pipeline=train_pipeline)
test_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='test',
    pipeline=test_pipeline)

# default_collate stacks each batch in the workers, so the data
# preprocessor normalises one tensor instead of looping over images.
# SeededSampler gives every draw the seed of its augmentation and
# SeededDataset applies it, so the random transforms are a function of the
# run's seed and the position in training: the same after a resume, with
# any number of workers and on a rerun. BBN configs pair the draws
# (bbn_pairs.py).
train_dataloader = dict(
    collate_fn=dict(type='default_collate'),
    batch_size=128,
    num_workers=4,
    dataset=dict(type='SeededDataset', dataset=train_dataset),
    sampler=dict(type='SeededSampler', shuffle=True),
    drop_last=True)
val_dataloader = dict(
    collate_fn=dict(type='default_collate'),
    batch_size=256,
    num_workers=4,
    dataset=test_dataset,
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='LongTailMetric', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
