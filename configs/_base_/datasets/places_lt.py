# Places-LT (Liu et al., OLTR): 365 scene classes of Places365; 62,500
# training, 7,300 validation and 36,500 test images. Validation picks the
# best epoch, the test split gives the reported number. Layout: the lists
# data/places-lt/Places_LT_{train,val,test}.txt; their image paths are
# relative to data/places-lt/images/ (link the Places365 folders the lists
# name there; a leading '/' in a list is relative too).
_base_ = ['./imagenet_style_224.py']

dataset_type = 'PlacesLT'
data_root = 'data/places-lt'
data_prefix = 'images'
data_preprocessor = dict(num_classes=365)

train_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='train',
    data_prefix=data_prefix,
    pipeline=_base_.train_pipeline)
val_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='val',
    data_prefix=data_prefix,
    pipeline=_base_.test_pipeline)
test_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='test',
    data_prefix=data_prefix,
    pipeline=_base_.test_pipeline)

# 4 GPUs x 32 = a batch of 128.
# SeededSampler gives every draw the seed of its augmentation and
# SeededDataset applies it, so the random transforms are a function of the
# run's seed and the position in training: the same after a resume, with
# any number of workers and on a rerun. BBN configs pair the draws
# (bbn_pairs.py).
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    dataset=dict(type='SeededDataset', dataset=train_dataset),
    sampler=dict(type='SeededSampler', shuffle=True),
    drop_last=True)
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=val_dataset,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=test_dataset,
    sampler=dict(type='DefaultSampler', shuffle=False))
