# iNaturalist 2017: 5,089 classes, 579,184 training and 95,986 validation
# images; the validation split is the test set (as in BBN and the
# long-tail literature). Layout: data/inat2017/{train2017,val2017}.json
# and the images under data/inat2017/train_val_images/ (the official
# archives, unpacked). BBN's converted JSONs (tools/convert_from_iNat.py of the
# official code) work too: set ann_file; the format is detected.
_base_ = ['./imagenet_style_224.py']

dataset_type = 'INaturalist2017'
data_root = 'data/inat2017'
data_preprocessor = dict(num_classes=5089)

train_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='train',
    pipeline=_base_.train_pipeline)
test_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    split='val',
    pipeline=_base_.test_pipeline)

# 4 GPUs x 32 = the official batch of 128.
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
    dataset=test_dataset,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
