# BBN on distilled DeiT-S (MMPretrain's deit-small-distilled, class and
# distillation token): each branch = layers.11 + the shared final LayerNorm;
# f is the mean of the two tokens (one Linear on it is the mean of that
# Linear on each, as DeiT averages its two heads). [f_c, f_r]: 2 x 384.
_base_ = ['./bbn_vit-base-p16.py']
model = dict(
    backbone=dict(type='DistilledVisionTransformer', arch='deit-small'),
    head=dict(in_channels=768))
