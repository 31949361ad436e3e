"""Data preprocessors and the seeded batch augments they apply."""
from .batch_augments import (BatchRandomCrop, BatchRandomFlip, crop_at,
                             hash32, random_words, uniform_int)
from .bbn_data_preprocessor import BBNDataPreprocessor, SeededDataPreprocessor

__all__ = [
    'BBNDataPreprocessor', 'BatchRandomCrop', 'BatchRandomFlip',
    'SeededDataPreprocessor', 'crop_at', 'hash32', 'random_words',
    'uniform_int'
]
