"""Data preprocessors."""
from .bbn_data_preprocessor import BBNDataPreprocessor

__all__ = ['BBNDataPreprocessor']
