"""A long-tailed subset of any MMPretrain data set, as a wrapper."""
import copy
from typing import Any, List, Optional, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mmbbn.registry import DATASETS
from .labels import (class_counts, dataset_name, get_gt_labels,
                     get_num_classes)
from .long_tail import indices_digest, long_tail_counts, select_long_tail


def largest_n_max(available: np.ndarray, imbalance_factor: float,
                  profile: str) -> int:
    """The largest head size whose profile every class can supply.

    Class ``i`` of the profile asks for ``int(n_max * f_i)`` items
    (:func:`long_tail_counts`); this is the largest ``n_max`` with every
    ask within the items the class has.

    Args:
        available (np.ndarray): Items per class of the full set.
        imbalance_factor (float): ``n_max / n_min``.
        profile (str): ``'exp'`` or ``'step'``.

    Returns:
        int: The head size, 0 if some class has no items.
    """
    num = len(available)
    if not num or np.any(available == 0):
        return 0
    shape = np.array(long_tail_counts(1e9, num, imbalance_factor, profile),
                     np.float64) / 1e9
    # int(n_max * f_i) <= a_i  <=>  n_max * f_i < a_i + 1.
    limit = (available + 1) / np.maximum(shape, 1e-12)
    n_max = int(np.floor(np.min(limit)))
    while n_max > 0 and np.any(
            np.array(long_tail_counts(n_max, num, imbalance_factor, profile))
            > available):
        n_max -= 1
    return max(n_max, 0)


@DATASETS.register_module()
class LongTailSubset:
    """Keeps a long-tailed subset of any single-label data set.

    Class ``i`` keeps ``n_i`` items, the LDAM-DRW profile used for
    CIFAR-LT (:func:`long_tail_counts`): ``exp`` gives
    ``n_i = int(n_max * (1 / IF) ** (i / (C - 1)))`` in class-index order,
    ``step`` keeps ``n_max`` for the first half of the classes and
    ``int(n_max / IF)`` for the rest. The items are chosen by
    :func:`select_long_tail` (seeded shuffle per class by default), so the
    subset is a function of the labels and the seed. Labels come from the
    wrapped set's ``get_gt_labels()``; no image is read. The counts and a
    digest of the chosen indices are logged.

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
        try:
            long_tail_counts(1.0, 2, imbalance_factor, profile)
            select_long_tail(np.zeros(0, np.int64), [], selection, 0)
        except ValueError as e:
            raise ValueError(f'LongTailSubset: {e}') from None
        if n_max is not None and not (isinstance(n_max, int) and n_max > 0):
            raise ValueError(f'LongTailSubset: n_max={n_max!r} is not a '
                             'positive integer')
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset
        self.imbalance_factor = imbalance_factor
        self.profile = profile
        self.n_max = n_max
        self.selection = selection
        self.seed = seed
        self._metainfo = copy.deepcopy(getattr(dataset, 'metainfo', {}))
        self.indices = np.zeros(0, np.int64)
        self._labels = np.zeros(0, np.int64)
        self.subset_counts: Optional[List[int]] = None
        self.subset_digest: Optional[str] = None
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """Meta information of the wrapped data set."""
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Load the wrapped set and choose the subset (once)."""
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        inner = dataset_name(self.dataset)
        labels = get_gt_labels(self.dataset)
        num_classes = get_num_classes(self.dataset, labels)
        available = class_counts(labels, num_classes)
        n_max = self.n_max
        if n_max is None:
            n_max = largest_n_max(available, self.imbalance_factor,
                                  self.profile)
            if n_max < 1:
                empty = np.flatnonzero(available == 0)
                raise ValueError(
                    f'LongTailSubset of {inner}: class {int(empty[0])} has '
                    'no items, so no long-tailed profile fits')
        counts = long_tail_counts(n_max, num_classes, self.imbalance_factor,
                                  self.profile)
        try:
            keep = select_long_tail(labels, counts, self.selection,
                                    self.seed)
        except ValueError as e:
            raise ValueError(f'LongTailSubset of {inner} (n_max={n_max}): '
                             f'{e}') from None
        self.indices = keep
        self._labels = labels[keep]
        self.subset_counts = counts
        self.subset_digest = indices_digest(keep)
        MMLogger.get_current_instance().info(
            f'LongTailSubset of {inner}: {len(keep)} of {len(labels)} '
            f'items, IF {self.imbalance_factor} {self.profile}/'
            f'{self.selection} seed {self.seed}, n_max {n_max}; per class '
            f'{_short(counts)}; subset digest {self.subset_digest}')
        self._fully_initialized = True

    def get_gt_labels(self) -> np.ndarray:
        """Class of every kept item (int64)."""
        self.full_init()
        return self._labels.copy()

    def get_cat_ids(self, idx: int) -> List[int]:
        """Class of kept item ``idx`` as a list."""
        self.full_init()
        return [int(self._labels[idx])]

    def get_data_info(self, idx: int) -> dict:
        """Annotation of kept item ``idx`` (from the wrapped set)."""
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


def _short(counts: List[int], shown: int = 12) -> str:
    if len(counts) <= shown:
        return str(list(counts))
    half = shown // 2
    return (f'[{", ".join(map(str, counts[:half]))}, ... '
            f'{", ".join(map(str, counts[-half:]))}] ({len(counts)} classes)')


__all__ = ['LongTailSubset', 'largest_n_max']
