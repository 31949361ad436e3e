"""Heads."""
from .bbn_head import BBNHead, mix_features

__all__ = ['BBNHead', 'mix_features']
