"""Long-tailed subsets: per-class counts and the choice of items."""
import hashlib
from typing import List, Optional

import numpy as np
from mmengine.logging import MMLogger

LONG_TAIL_PROFILES = ('exp', 'step')
LONG_TAIL_SELECTIONS = ('shuffle', 'first')


def long_tail_counts(n_max: float,
                     num_classes: int,
                     imbalance_factor: float,
                     profile: str = 'exp') -> List[int]:
    """Items per class of a long-tailed subset (the LDAM-DRW generator).

    ``exp``: ``n_i = int(n_max * (1 / IF) ** (i / (C - 1)))``;
    ``step``: the first ``C // 2`` classes keep ``n_max``, the others get
    ``int(n_max / IF)``. ``n_max`` may be a float (LDAM's ``50000 / 10``),
    which matters for the rounding.

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


def check_long_tail(owner: str, imbalance_factor: float, profile: str,
                    selection: str = 'shuffle') -> None:
    """Check a long-tail profile before any file is read."""
    try:
        long_tail_counts(1.0, 2, imbalance_factor, profile)
        select_long_tail(np.zeros(0, np.int64), [], selection)
    except ValueError as e:
        raise ValueError(f'{owner}: {e}') from None


def _brief(counts: List[int], shown: int = 12) -> str:
    if len(counts) <= shown:
        return str(list(counts))
    half = shown // 2
    return (f'[{", ".join(map(str, counts[:half]))}, ... '
            f'{", ".join(map(str, counts[-half:]))}] ({len(counts)} classes)')


def keep_long_tail(owner, name: str, labels: np.ndarray, counts: List[int],
                   index: Optional[np.ndarray] = None) -> np.ndarray:
    """int64 indices of the kept items of long-tailed set ``owner``.

    Chooses ``counts`` of the candidates' ``labels`` (whose item indices
    are ``index``, if given) by ``owner``'s ``selection`` and ``seed``,
    sets ``owner.subset_counts`` and ``owner.subset_digest`` and logs them
    under ``name``, so two runs can be checked to train on the same subset.
    """
    selection = getattr(owner, 'selection', 'shuffle')
    try:
        keep = select_long_tail(labels, counts, selection, owner.seed)
    except ValueError as e:
        raise ValueError(f'{name}: {e}') from None
    if index is not None:
        keep = index[keep]
    owner.subset_counts = counts
    owner.subset_digest = indices_digest(keep)
    MMLogger.get_current_instance().info(
        f'{name}: {len(keep)} of {len(labels)} items, IF '
        f'{owner.imbalance_factor} {owner.profile}/{selection} seed '
        f'{owner.seed}; per class {_brief(counts)}; subset digest '
        f'{owner.subset_digest}')
    return keep


__all__ = [
    'LONG_TAIL_PROFILES', 'LONG_TAIL_SELECTIONS', 'check_long_tail',
    'indices_digest', 'keep_long_tail', 'long_tail_counts',
    'select_long_tail'
]
