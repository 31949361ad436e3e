"""Model utilities: the BBN weight initialiser."""
from .bbn_pretrained import BBNPretrained

__all__ = ['BBNPretrained']
