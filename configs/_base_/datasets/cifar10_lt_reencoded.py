# CIFAR-10-LT from a re-encoded copy of CIFAR-10 (e.g. the JPEG copy that
# tools such as cifar10_jpeg_to_batches.py unpack into the pickle layout):
# the files' md5 sums differ from the official release, so they are not
# checked. Everything else is configs/_base_/datasets/cifar10_lt.py.
_base_ = ['./cifar10_lt.py']
train_dataset = dict(check_md5=False)
test_dataset = dict(check_md5=False)
train_dataloader = dict(dataset=dict(dataset=train_dataset))
val_dataloader = dict(dataset=test_dataset)
test_dataloader = dict(dataset=test_dataset)
