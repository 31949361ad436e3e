"""Digits-LT: a long-tailed set built from scikit-learn's bundled digits."""
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import BaseDataset

from mmbbn.registry import DATASETS
from .long_tail import LongTailed, long_tail_counts


def load_sklearn_digits() -> tuple:
    """scikit-learn's 1,797 8x8 digits: uint8 (N, 8, 8) images scaled from
    0..16 to 0..255, and int64 (N, ) labels."""
    from sklearn.datasets import load_digits  # slow to import: on use
    digits = load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)
    return images, digits.target.astype(np.int64)


@DATASETS.register_module()
class DigitsLT(LongTailed, BaseDataset):
    """A long-tailed digit set that needs no download.

    scikit-learn's digits (10 classes, 174-183 per class) are split once
    with a fixed seed: ``test_per_class`` images of every class form the
    balanced test split; from the rest, the training split keeps a
    long-tailed profile (``imbalance_factor``, ``profile`` ``'exp'`` or
    ``'step'``) whose largest class has as many images as the smallest
    class has left (at the defaults ``[124, 88, ..., 6]``, 417 images).
    ``seed`` seeds the split and the subset; items are 8x8 grey uint8
    ``img`` and ``gt_label``. Other arguments are :class:`BaseDataset`'s.
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
        self.set_long_tail(imbalance_factor, profile, seed=seed)
        self.split, self.test_per_class = split, test_per_class
        kwargs.setdefault('data_root', '')
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        images, labels = load_sklearn_digits()
        rng = np.random.RandomState(self.seed)
        test, pool = [], []
        for cls in range(10):
            idx = rng.permutation(np.flatnonzero(labels == cls))
            test.append(idx[:self.test_per_class])
            pool.append(idx[self.test_per_class:])
        if self.split == 'test':
            keep = np.concatenate(test)
        else:
            counts = long_tail_counts(min(map(len, pool)), 10,
                                      self.imbalance_factor, self.profile)
            pool_idx = np.concatenate(pool)
            keep = self.keep_long_tail('DigitsLT train', labels[pool_idx],
                                       counts, index=pool_idx)
        return [dict(img=images[i], gt_label=int(labels[i])) for i in keep]
