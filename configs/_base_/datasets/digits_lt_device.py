# Digits-LT on the device-resident path: the training and test sets are
# held as uint8 tensors on the training device (the GPU when there is one),
# a batch is gathered by index from the samplers' draws, and the random crop
# (pad 1, fill 0) runs on whole batches in the data preprocessor, each
# item's from its draw's seed. Same split, samplers, normalisation and
# augmentation distribution as digits_lt.py (the default, per-item path).
# This is what use_device_resident() makes of digits_lt.py.
_base_ = ['./digits_lt.py']
data_preprocessor = dict(
    type='SeededDataPreprocessor',
    augments=[dict(type='BatchRandomCrop', crop_size=8, padding=1,
                   pad_val=0)])

train_pipeline = [dict(type='PackInputs')]
# The held data set's own fields stay where they are in digits_lt.py.
train_dataset = dict(
    type='DeviceResidentDataset',
    dataset_type={{_base_.dataset_type}},
    pipeline=train_pipeline)
test_dataset = dict(
    type='DeviceResidentDataset', dataset_type={{_base_.dataset_type}})

# Batches come gathered from the device: no workers, no pinning, no
# collation.
device_loader = dict(
    collate_fn=dict(type='identity_collate'),
    num_workers=0,
    persistent_workers=False,
    pin_memory=False)
# The device-resident set resolves the draws of SeededSampler (the indices
# of MMEngine's DefaultSampler, each with its augmentation seed).
# The device-resident set takes the held set's place inside the training
# wrapper (SeededDataset here, the pair wrapper in BBN configs), so a
# leaf's train_dataloader.dataset.dataset.* fields reach it on both paths.
train_dataloader = dict(
    dataset=dict(dataset=train_dataset),
    sampler=dict(type='SeededSampler', shuffle=True),
    **device_loader)
val_dataloader = dict(dataset=test_dataset, **device_loader)
test_dataloader = val_dataloader
