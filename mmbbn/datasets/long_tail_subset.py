"""A long-tailed subset of any MMPretrain data set, as a wrapper."""
from typing import Any, List, Optional, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmbbn.registry import DATASETS
from .labels import class_counts, get_gt_labels, get_num_classes
from .long_tail import check_long_tail, keep_long_tail, long_tail_counts
from .seeded_dataset import DatasetWrapper


def largest_n_max(available: np.ndarray, imbalance_factor: float,
                  profile: str) -> int:
    """The largest head size whose profile every class can supply, given
    the ``available`` items per class (0 if some class has none)."""
    num = len(available)
    if not num or np.any(available == 0):
        return 0
    shape = np.array(long_tail_counts(1e9, num, imbalance_factor, profile),
                     np.float64) / 1e9
    # int(n_max * f_i) <= a_i  <=>  n_max * f_i < a_i + 1; then step down
    # past the float rounding.
    n_max = int(np.floor(np.min((available + 1) / np.maximum(shape, 1e-12))))
    while n_max > 0 and np.any(
            np.array(long_tail_counts(n_max, num, imbalance_factor, profile))
            > available):
        n_max -= 1
    return max(n_max, 0)


@DATASETS.register_module()
class LongTailSubset(DatasetWrapper):
    """Keeps a long-tailed subset of any single-label data set.

    Class ``i`` keeps the count of :func:`long_tail_counts`, chosen by
    :func:`select_long_tail`, so the subset is a function of the labels
    (from the wrapped set's ``get_gt_labels()``; no image is read) and the
    seed.

    Args:
        dataset (dict | BaseDataset): The full data set or its config.
        imbalance_factor (float): ``n_max / n_min``, at least 1.
            Defaults to 100.
        profile (str): ``'exp'`` (default) or ``'step'``.
        n_max (int, optional): Items of the head class. None takes the
            largest the data allow (the per-class count for a balanced
            set, as in CIFAR-LT).
        selection (str): ``'shuffle'`` (default) or ``'first'``.
        seed (int, optional): Seed of ``'shuffle'``. Defaults to 0.
        lazy_init (bool): Defer loading the wrapped set. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 imbalance_factor: float = 100,
                 profile: str = 'exp',
                 n_max: Optional[int] = None,
                 selection: str = 'shuffle',
                 seed: Optional[int] = 0,
                 lazy_init: bool = False) -> None:
        check_long_tail('LongTailSubset', imbalance_factor, profile,
                        selection)
        if n_max is not None and not (isinstance(n_max, int) and n_max > 0):
            raise ValueError(f'LongTailSubset: n_max={n_max!r} is not a '
                             'positive integer')
        self.imbalance_factor = imbalance_factor
        self.profile = profile
        self.n_max = n_max
        self.selection = selection
        self.seed = seed
        self.indices = np.zeros(0, np.int64)
        self._labels = np.zeros(0, np.int64)
        self.subset_counts: Optional[List[int]] = None
        self.subset_digest: Optional[str] = None
        super().__init__(dataset, lazy_init=lazy_init)

    def full_init(self) -> None:
        """Load the wrapped set and choose the subset (once)."""
        if self._fully_initialized:
            return
        super().full_init()
        inner = type(self.dataset).__name__
        labels = get_gt_labels(self.dataset)
        num_classes = get_num_classes(self.dataset, labels)
        available = class_counts(labels, num_classes)
        n_max = self.n_max or largest_n_max(
            available, self.imbalance_factor, self.profile)
        if n_max < 1:
            raise ValueError(
                f'LongTailSubset of {inner}: class '
                f'{int(np.flatnonzero(available == 0)[0])} has no items, so '
                'no long-tailed profile fits')
        counts = long_tail_counts(n_max, num_classes, self.imbalance_factor,
                                  self.profile)
        self.indices = keep_long_tail(
            self, f'LongTailSubset of {inner} (n_max={n_max})', labels,
            counts)
        self._labels = labels[self.indices]

    def get_gt_labels(self) -> np.ndarray:
        self.full_init()
        return self._labels.copy()

    def get_cat_ids(self, idx: int) -> List[int]:
        self.full_init()
        return [int(self._labels[idx])]

    def get_data_info(self, idx: int) -> dict:
        self.full_init()
        return self.dataset.get_data_info(int(self.indices[idx]))

    def __getitem__(self, idx: int) -> Any:
        self.full_init()
        return self.dataset[int(self.indices[idx])]

    def __len__(self) -> int:
        self.full_init()
        return len(self.indices)

    def __repr__(self) -> str:
        return (f'LongTailSubset(IF={self.imbalance_factor}, '
                f'profile={self.profile!r}, seed={self.seed}, '
                f'{len(self.indices)} items of\n{self.dataset!r}\n)')


__all__ = ['LongTailSubset', 'largest_n_max']
