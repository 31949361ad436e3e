"""Long-tailed subsets: per-class counts, the choice of items, a wrapper."""
import hashlib
from typing import Any, List, Optional, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mmbbn.registry import DATASETS
from .labels import class_counts, get_gt_labels, get_num_classes
from .wrappers import DatasetWrapper

LONG_TAIL_PROFILES = ('exp', 'step')
LONG_TAIL_SELECTIONS = ('shuffle', 'first')


def long_tail_counts(n_max: float,
                     num_classes: int,
                     imbalance_factor: float,
                     profile: str = 'exp') -> List[int]:
    """Items per class of a long-tailed subset (the LDAM-DRW generator).

    ``exp``: ``n_i = int(n_max * (1 / IF) ** (i / (C - 1)))``; ``step``: the
    first ``C // 2`` classes keep ``n_max``, the others ``int(n_max / IF)``.
    ``n_max``, the head's count, may be a float (LDAM's ``50000 / 10``),
    which matters for the rounding; ``IF = n_max / n_min`` is at least 1.
    """
    if not imbalance_factor >= 1:
        raise ValueError(f'imbalance_factor={imbalance_factor!r} is below 1 '
                         '(it is n_max / n_min, e.g. 100)')
    if profile not in LONG_TAIL_PROFILES:
        raise ValueError(f'profile={profile!r} is not one of '
                         f'{", ".join(LONG_TAIL_PROFILES)}')
    if num_classes < 1:
        raise ValueError(f'num_classes={num_classes!r} is below 1')
    ratio = 1.0 / imbalance_factor
    if profile == 'step':
        head = num_classes // 2
        return ([int(n_max)] * head +
                [int(n_max * ratio)] * (num_classes - head))
    return [int(n_max * ratio**(i / max(num_classes - 1.0, 1.0)))
            for i in range(num_classes)]


def select_long_tail(labels: np.ndarray,
                     counts: List[int],
                     selection: str = 'shuffle',
                     seed: Optional[int] = 0) -> np.ndarray:
    """Class-major int64 indices of ``counts[c]`` items of every class ``c``.

    ``shuffle`` is the LDAM-DRW protocol used by BBN: one NumPy legacy
    generator seeded once, then for each class in label order its item
    indices shuffled and the first ``counts[c]`` kept. ``first`` keeps the
    first ``counts[c]`` items of each class in file order. ``seed=None``
    draws a fresh seed (not reproducible).
    """
    if selection not in LONG_TAIL_SELECTIONS:
        raise ValueError(f'selection={selection!r} is not one of '
                         f'{", ".join(LONG_TAIL_SELECTIONS)}')
    labels = np.asarray(labels, dtype=np.int64)
    rng = np.random.RandomState(seed)
    chosen = [np.zeros(0, np.int64)]
    for cls, n in enumerate(counts):
        idx = np.flatnonzero(labels == cls)
        if n > len(idx):
            raise ValueError(f'class {cls} has {len(idx)} items, fewer than '
                             f'the {n} the long-tail profile asks for')
        if selection == 'shuffle':
            rng.shuffle(idx)
        chosen.append(idx[:n])
    return np.concatenate(chosen).astype(np.int64)


def indices_digest(indices: np.ndarray) -> str:
    """Short fingerprint of a chosen subset (first 8 hex digits of SHA-1)."""
    data = np.ascontiguousarray(indices, dtype='<i8').tobytes()
    return hashlib.sha1(data).hexdigest()[:8]


def _brief(counts: List[int], shown: int = 12) -> str:
    if len(counts) <= shown:
        return str(list(counts))
    half = shown // 2
    return (f'[{", ".join(map(str, counts[:half]))}, ... '
            f'{", ".join(map(str, counts[-half:]))}] ({len(counts)} classes)')


class LongTailed:
    """Mixin of the long-tailed sets: their options (checked before any
    file is read) and the logged choice of their subset."""

    def set_long_tail(self, imbalance_factor: float, profile: str,
                      selection: str = 'shuffle',
                      seed: Optional[int] = 0) -> None:
        try:
            long_tail_counts(1.0, 2, imbalance_factor, profile)
            select_long_tail(np.zeros(0, np.int64), [], selection)
        except ValueError as e:
            raise ValueError(f'{type(self).__name__}: {e}') from None
        self.imbalance_factor, self.profile = imbalance_factor, profile
        self.selection, self.seed = selection, seed
        self.subset_counts: Optional[List[int]] = None
        self.subset_digest: Optional[str] = None

    def keep_long_tail(self, name: str, labels: np.ndarray,
                       counts: List[int],
                       index: Optional[np.ndarray] = None) -> np.ndarray:
        """int64 indices of the kept items: ``counts`` of the candidates'
        ``labels`` (whose item indices are ``index``, if given), logged under
        ``name`` with their digest, so two runs can be checked to train on
        the same subset."""
        try:
            keep = select_long_tail(labels, counts, self.selection,
                                    self.seed)
        except ValueError as e:
            raise ValueError(f'{name}: {e}') from None
        if index is not None:
            keep = index[keep]
        self.subset_counts = counts
        self.subset_digest = indices_digest(keep)
        MMLogger.get_current_instance().info(
            f'{name}: {len(keep)} of {len(labels)} items, IF '
            f'{self.imbalance_factor} {self.profile}/{self.selection} seed '
            f'{self.seed}; per class {_brief(counts)}; subset digest '
            f'{self.subset_digest}')
        return keep


def largest_n_max(available: np.ndarray, imbalance_factor: float,
                  profile: str) -> int:
    """The largest head size whose profile every class can supply, given
    the ``available`` items per class (0 if some class has none)."""
    if not len(available) or np.any(available == 0):
        return 0
    # The counts grow with n_max and the smallest is int(n_max / IF): bisect.
    low, high = 0, int((available.min() + 1) * imbalance_factor) + 1
    while low < high:
        mid = (low + high + 1) // 2
        counts = long_tail_counts(mid, len(available), imbalance_factor,
                                  profile)
        low, high = (mid, high) if np.all(counts <= available) else (
            low, mid - 1)
    return low


@DATASETS.register_module()
class LongTailSubset(LongTailed, DatasetWrapper):
    """Keeps a long-tailed subset of any single-label data set (or config).

    Class ``i`` keeps the count of :func:`long_tail_counts`, chosen by
    :func:`select_long_tail`, so the subset is a function of the labels
    (the wrapped set's ``get_gt_labels()``; no image is read) and the seed.
    ``n_max`` (items of the head class) None takes the largest the data
    allow: the per-class count for a balanced set, as in CIFAR-LT.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 imbalance_factor: float = 100,
                 profile: str = 'exp',
                 n_max: Optional[int] = None,
                 selection: str = 'shuffle',
                 seed: Optional[int] = 0,
                 lazy_init: bool = False) -> None:
        self.set_long_tail(imbalance_factor, profile, selection, seed)
        if n_max is not None and not (isinstance(n_max, int) and n_max > 0):
            raise ValueError(f'LongTailSubset: n_max={n_max!r} is not a '
                             'positive integer')
        self.n_max = n_max
        self.indices = self._labels = np.zeros(0, np.int64)
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
        self.indices = self.keep_long_tail(
            f'LongTailSubset of {inner} (n_max={n_max})', labels, counts)
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
