# ImageNet-LT (Liu et al., OLTR): 1,000 classes; 115,846 training, 20,000
# validation (held out of ImageNet train, 20 per class) and 50,000 test
# images (ImageNet val, 50 per class). Validation picks the best epoch,
# the test split gives the reported number. Layout: the three lists
# data/imagenet-lt/ImageNet_LT_{train,val,test}.txt and ImageNet's train/
# and val/ folders linked into data/imagenet-lt/ (the lists' paths start
# with train/ or val/).
_base_ = ['./imagenet_style_224.py']

dataset_type = 'ImageNetLT'
data_root = 'data/imagenet-lt'
data_preprocessor = dict(num_classes=1000)

train_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='train',
    pipeline=_base_.train_pipeline)
val_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='val',
    pipeline=_base_.test_pipeline)
test_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='test',
    pipeline=_base_.test_pipeline)

# 4 GPUs x 32 = a batch of 128, as BBN's large-scale runs.
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
