# BBN on DeiT-S (MMPretrain's deit/deit-small_4xb256_in1k.py backbone: a
# ViT with 384 channels, 12 layers, 6 heads): each branch = layers.11 +
# the shared final LayerNorm and class token. [f_c, f_r]: 2 x 384.
_base_ = ['./bbn_vit-base-p16.py']
model = dict(
    backbone=dict(arch='deit-small', drop_path_rate=0.1),
    head=dict(in_channels=768))
