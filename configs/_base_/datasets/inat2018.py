# iNaturalist 2018: 8,142 classes, 437,513 training and 24,426 validation
# images; the validation split is the test set (as in BBN and the
# long-tail literature). Layout: data/inat2018/{train2018,val2018}.json
# and the images under data/inat2018/train_val2018/ (the official archives,
# unpacked). BBN's converted JSONs (tools/convert_from_iNat.py of the
# official code) work too: set ann_file; the format is detected.
_base_ = ['./imagenet_style_224.py']

dataset_type = 'INaturalist2018'
data_root = 'data/inat2018'
data_preprocessor = dict(num_classes=8142)

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
