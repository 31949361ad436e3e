"""Digits-LT: a long-tailed set built from scikit-learn's bundled digits."""
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import BaseDataset

from mmbbn.registry import DATASETS
from .long_tail import check_long_tail, keep_long_tail, long_tail_counts


def load_sklearn_digits() -> tuple:
    """scikit-learn's 1,797 8x8 digits: uint8 (N, 8, 8) images scaled from
    0..16 to 0..255, and int64 (N, ) labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError('DigitsLT needs scikit-learn, which carries the '
                          'digits: pip install scikit-learn') from None
    digits = load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)
    return images, digits.target.astype(np.int64)


@DATASETS.register_module()
class DigitsLT(BaseDataset):
    """A long-tailed digit set that needs no download.

    scikit-learn's digits (10 classes, 174-183 per class) are split once
    with a fixed seed: ``test_per_class`` images of every class form the
    balanced test split; from the rest, the training split keeps a
    long-tailed profile whose largest class has as many images as the
    smallest class has left (at the defaults ``[124, 88, ..., 6]``, 417
    images).

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        imbalance_factor (float): ``n_max / n_min``, at least 1.
            Defaults to 20.
        test_per_class (int): Held-out test images per class. Defaults to 50.
        profile (str): ``'exp'`` (default) or ``'step'``.
        seed (int): Seed of the split and of the subset. Defaults to 0.
        **kwargs: Other arguments of :class:`BaseDataset`.
    """

    METAINFO = {'classes': tuple(str(d) for d in range(10))}

    def __init__(self,
                 split: str = 'train',
                 imbalance_factor: float = 20,
                 test_per_class: int = 50,
                 profile: str = 'exp',
                 seed: Optional[int] = 0,
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(f"DigitsLT: split={split!r} is not 'train' or "
                             "'test'")
        if not 1 <= test_per_class <= 150:
            raise ValueError(f'DigitsLT: test_per_class={test_per_class!r} '
                             'must be in 1..150')
        check_long_tail('DigitsLT', imbalance_factor, profile)
        self.split = split
        self.imbalance_factor = imbalance_factor
        self.test_per_class = test_per_class
        self.profile = profile
        self.seed = seed
        self.subset_counts: Optional[List[int]] = None
        self.subset_digest: Optional[str] = None
        kwargs.setdefault('data_root', '')
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        """Items of ``img`` (8x8 uint8, grey) and ``gt_label``."""
        images, labels = load_sklearn_digits()
        num_classes = len(self.METAINFO['classes'])
        rng = np.random.RandomState(self.seed)
        test, pool = [], []
        for cls in range(num_classes):
            idx = rng.permutation(np.flatnonzero(labels == cls))
            test.append(idx[:self.test_per_class])
            pool.append(idx[self.test_per_class:])
        if self.split == 'test':
            keep = np.concatenate(test)
        else:
            pool_idx = np.concatenate(pool)
            n_max = min(len(p) for p in pool)
            counts = long_tail_counts(n_max, num_classes,
                                      self.imbalance_factor, self.profile)
            keep = keep_long_tail(self, 'DigitsLT train', labels[pool_idx],
                                  counts, index=pool_idx)
        return [{
            'img': images[i],
            'gt_label': int(labels[i])
        } for i in keep]


__all__ = ['DigitsLT', 'load_sklearn_digits']
