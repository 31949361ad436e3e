"""Long-tailed subsets: per-class counts and the choice of items."""
import hashlib
from typing import List, Optional

import numpy as np

LONG_TAIL_PROFILES = ('exp', 'step')
LONG_TAIL_SELECTIONS = ('shuffle', 'first')


def long_tail_counts(n_max: float,
                     num_classes: int,
                     imbalance_factor: float,
                     profile: str = 'exp') -> List[int]:
    """Items per class of a long-tailed subset (the LDAM-DRW generator).

    ``exp``: ``n_i = int(n_max * (1 / IF) ** (i / (C - 1)))``;
    ``step``: the first ``C // 2`` classes keep ``n_max``, the others get
    ``int(n_max / IF)``. With the LDAM arithmetic (``n_max`` as a float
    such as ``50000 / 10``) CIFAR-10 at IF 100 gives
    ``[5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]``.

    Args:
        n_max (float): Items of the largest (first) class.
        num_classes (int): Number of classes ``C``.
        imbalance_factor (float): ``IF = n_max / n_min``, at least 1.
        profile (str): ``'exp'`` or ``'step'``.

    Returns:
        list[int]: Count of each class, in class-index order.
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
    if num_classes == 1:
        return [int(n_max)]
    return [
        int(n_max * ratio**(i / (num_classes - 1.0)))
        for i in range(num_classes)
    ]


def select_long_tail(labels: np.ndarray,
                     counts: List[int],
                     selection: str = 'shuffle',
                     seed: Optional[int] = 0) -> np.ndarray:
    """Choose ``counts[c]`` items of every class ``c``.

    ``shuffle`` is the LDAM-DRW protocol used by BBN: one NumPy legacy
    generator seeded once, then for each class in label order its item
    indices are shuffled and the first ``counts[c]`` kept. ``first`` keeps
    the first ``counts[c]`` items of each class in file order. The result
    is class-major, as in the official code.

    Args:
        labels (np.ndarray): Class of every item of the full set.
        counts (list[int]): Items to keep per class.
        selection (str): ``'shuffle'`` or ``'first'``.
        seed (int, optional): Seed of ``shuffle``; None draws a fresh one
            (not reproducible).

    Returns:
        np.ndarray: int64 indices into the full set.
    """
    if selection not in LONG_TAIL_SELECTIONS:
        raise ValueError(f'selection={selection!r} is not one of '
                         f'{", ".join(LONG_TAIL_SELECTIONS)}')
    labels = np.asarray(labels, dtype=np.int64)
    rng = np.random.RandomState(seed)
    chosen = []
    for cls, n in enumerate(counts):
        idx = np.flatnonzero(labels == cls)
        if n > len(idx):
            raise ValueError(f'class {cls} has {len(idx)} items, fewer than '
                             f'the {n} the long-tail profile asks for')
        if selection == 'shuffle':
            rng.shuffle(idx)
        chosen.append(idx[:n])
    if not chosen:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(chosen).astype(np.int64)


def indices_digest(indices: np.ndarray) -> str:
    """Short fingerprint of a chosen subset (first 8 hex digits of SHA-1).

    Args:
        indices (np.ndarray): Item indices.

    Returns:
        str: 8 hex digits.
    """
    data = np.ascontiguousarray(indices, dtype='<i8').tobytes()
    return hashlib.sha1(data).hexdigest()[:8]


__all__ = [
    'LONG_TAIL_PROFILES', 'LONG_TAIL_SELECTIONS', 'indices_digest',
    'long_tail_counts', 'select_long_tail'
]
