"""Class-first drawing: the class index and the samplers built on it."""
from typing import Optional

import numpy as np
from mmengine.logging import MMLogger

from ..labels import (class_counts, class_names, get_gt_labels,
                      get_num_classes)
from .seeded_sampler import SeededSampler, epoch_rng

# How each re-balancing sampler weighs a class with N_i > 0 items.
REBALANCE_WEIGHTS = {
    'reversed': lambda n: n.max() / n,  # BBN
    'balanced': lambda n: np.ones_like(n),
    'uniform': lambda n: n,  # every item equally likely
    'square-root': np.sqrt,
}


def rebalance_probs(counts: np.ndarray, sampler: str) -> np.ndarray:
    """Class probabilities ``w_i / sum_j w_j`` of a re-balancing sampler
    (:data:`REBALANCE_WEIGHTS`); classes without items get 0."""
    if sampler not in REBALANCE_WEIGHTS:
        raise ValueError(f'sampler={sampler!r} is not one of '
                         f'{", ".join(REBALANCE_WEIGHTS)}')
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    if not present.any():
        raise ValueError('no class has any item to draw')
    weights = np.zeros_like(counts)
    weights[present] = REBALANCE_WEIGHTS[sampler](counts[present])
    return weights / weights.sum()


class ClassIndex:
    """Item indices grouped by class, for class-first drawing.

    Built from the labels alone by a stable radix sort (O(N) for up to
    65,536 classes): tens of milliseconds at iNaturalist scale.

    Args:
        labels (np.ndarray): Class index of every item.
        num_classes (int): Number of classes.
    """

    def __init__(self, labels: np.ndarray, num_classes: int) -> None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.dtype.kind not in 'iu':
            raise ValueError('labels must be a 1-d integer array')
        if len(labels) and (labels.min() < 0
                            or labels.max() >= num_classes):
            raise ValueError(f'labels must lie in 0..{num_classes - 1}')
        key = labels.astype(np.uint16) if num_classes <= 65536 else labels
        self.order = np.argsort(key, kind='stable').astype(np.int64)
        self.counts = class_counts(labels, num_classes)
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))

    def draw(self, rng: np.random.Generator, probs: np.ndarray,
             size: int) -> np.ndarray:
        """``size`` int64 items, with replacement: a class by ``probs``,
        then one of its items uniformly.

        Draw ``k`` uses row ``k`` of ``size`` rows of two U[0, 1) numbers
        from ``rng``, so the first draws do not depend on how many are
        drawn.
        """
        rows = rng.random((size, 2))
        cdf = np.cumsum(probs)
        classes = np.searchsorted(cdf, rows[:, 0] * cdf[-1], side='right')
        np.minimum(classes, len(cdf) - 1, out=classes)
        offsets = (rows[:, 1] * self.counts[classes]).astype(np.int64)
        return self.order[self.starts[classes] + offsets]

    def items_of(self, cls: int) -> np.ndarray:
        """int64 indices of the items of class ``cls``, in data set order."""
        start = self.starts[cls]
        return self.order[start:start + self.counts[cls]]


class ClassIndexSampler(SeededSampler):
    """Base of the samplers that draw class first (RS, BBN's re-balancing).

    Warns about classes without items (never drawn). :meth:`class_draws`
    is the one layout of class-first draws: an epoch's ``total_size``
    draws come from one stream seeded by ``(seed, epoch)``, draw ``k``
    from its row ``k``, and rank ``r`` of ``W`` takes draws ``r, r + W,
    ...``; so the global sequence does not depend on the number of ranks
    or workers and is the same on a rerun and on resume.

    Args:
        dataset: A :class:`SeededDataset` of a single-label training set.
        shuffle (bool): Shuffle the indices of :class:`SeededSampler`.
        seed (int, optional): Seed shared by all ranks.
        round_up (bool): As in MMEngine's ``DefaultSampler``.
    """

    def __init__(self,
                 dataset,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)
        try:
            labels = get_gt_labels(dataset)
            num_classes = get_num_classes(dataset, labels)
        except ValueError as e:
            raise ValueError(f'{type(self).__name__}: {e}') from None
        self.class_index = ClassIndex(labels, num_classes)
        empty = np.flatnonzero(self.class_index.counts == 0)
        if len(empty):
            shown = class_names(dataset, empty[:20])
            more = f' and {len(empty) - 20} more' if len(empty) > 20 else ''
            MMLogger.get_current_instance().warning(
                f'{type(dataset.dataset).__name__}: {len(empty)} class(es) '
                'have no training images and are left out of re-balanced '
                f'sampling: {", ".join(shown)}{more}')

    def class_draws(self, probs: np.ndarray) -> np.ndarray:
        """This rank's int64 class-first draws of the current epoch."""
        draws = self.class_index.draw(epoch_rng(self.seed, self.epoch),
                                      probs, self.total_size)
        return draws[self.rank:self.total_size:self.world_size]


__all__ = [
    'ClassIndex', 'ClassIndexSampler', 'REBALANCE_WEIGHTS', 'rebalance_probs'
]
