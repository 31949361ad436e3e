"""Heads."""
from .bbn_head import BBNHead, mix_features
from .norm_linear_head import NormLinearClsHead
from .post_hoc_linear_head import PostHocLinearClsHead

__all__ = [
    'BBNHead', 'NormLinearClsHead', 'PostHocLinearClsHead', 'mix_features'
]
