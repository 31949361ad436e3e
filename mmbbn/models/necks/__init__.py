"""Necks."""
from .bbn_neck import BBNNeck

__all__ = ['BBNNeck']
