"""Heads."""
from .bbn_head import BBNHead, mix_features
from .linear_heads import NormLinearClsHead, PostHocLinearClsHead

__all__ = [
    'BBNHead', 'NormLinearClsHead', 'PostHocLinearClsHead', 'mix_features'
]
