"""Training samplers: every draw carries the seed of its augmentation."""
from typing import Iterator, List, Optional

import numpy as np
from mmengine.dataset import DefaultSampler
from mmengine.logging import MessageHub, MMLogger

from mmbbn.registry import DATA_SAMPLERS
from mmbbn.structures import BranchPair, Draw
from .labels import class_counts, get_gt_labels, get_num_classes
from .wrappers import DualSampleDataset, SeededDataset

# How each re-balancing sampler weighs a class with N_i > 0 items.
REBALANCE_WEIGHTS = {
    'reversed': lambda n: n.max() / n,  # BBN
    'balanced': lambda n: np.ones_like(n),
    'uniform': lambda n: n,  # every item equally likely
    'square-root': np.sqrt,
}
# 'shuffle': MMEngine's DefaultSampler pass (every item once per epoch);
# 'progressive': Kang et al.'s progressively-balanced sampling.
SAMPLING_MODES = ('shuffle', 'progressive') + tuple(REBALANCE_WEIGHTS)


def epoch_rng(seed: int, epoch: int, *stream: int) -> np.random.Generator:
    """An independent PCG64 generator for one (seed, epoch, ...) key."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(epoch),
                                  *map(int, stream)])


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


def progressive_probs(counts: np.ndarray, progress: float) -> np.ndarray:
    """Kang et al.'s ``(1 - t / T) p^IB + (t / T) p^CB`` at ``progress``
    ``t / T``, with ``p^IB`` instance- and ``p^CB`` class-balanced."""
    return ((1.0 - progress) * rebalance_probs(counts, 'uniform') +
            progress * rebalance_probs(counts, 'balanced'))


class ClassIndex:
    """Item indices grouped by class, for class-first drawing: a stable
    radix sort of the labels (O(N) for up to 65,536 classes), tens of
    milliseconds at iNaturalist scale."""

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
        then one of its items uniformly. Draw ``k`` uses row ``k`` of
        ``(size, 2)`` U[0, 1) numbers, so it does not depend on ``size``."""
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


@DATA_SAMPLERS.register_module()
class SeededSampler(DefaultSampler):
    """MMEngine's :class:`DefaultSampler` that yields :class:`Draw`\\ s.

    The indices are exactly :class:`DefaultSampler`'s (same arguments). The
    draw at global position ``k`` carries row ``k`` of a stream seeded by
    ``(seed, epoch)`` as the seed of its augmentation, so an item's
    augmentation does not depend on the number of workers, their seeding
    or a resume. The data set must be a :attr:`DATASET`, which applies it.
    """

    DATASET = SeededDataset

    def __init__(self,
                 dataset,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        if not isinstance(dataset, self.DATASET):
            raise TypeError(
                f'{type(self).__name__}: dataset {type(dataset).__name__} '
                'cannot resolve its draws; wrap it: dataset=dict(type='
                f"'{self.DATASET.__name__}', dataset=...)")
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)

    def draws(self, indices: List[int], half: int = 0) -> List[Draw]:
        """This rank's items of the epoch with their seeds, in order; the
        seeds of ``half`` 1 (a pair's re-balancing half) are a stream of
        their own."""
        seeds = epoch_rng(self.seed, self.epoch, 1, half).integers(
            0, 2**32, self.total_size, dtype=np.uint32)
        seeds = seeds[self.rank:self.total_size:self.world_size]
        return [Draw(int(i), s) for i, s in zip(indices, seeds.tolist())]

    def __iter__(self) -> Iterator[Draw]:
        return iter(self.draws(list(super().__iter__())))


@DATA_SAMPLERS.register_module()
class ClassAwareSampler(SeededSampler):
    """Draws training items class first, reproducibly on any number of ranks.

    ``rebalance`` is one of :data:`SAMPLING_MODES`: a class by the weights
    of :data:`REBALANCE_WEIGHTS` then one of its items, with replacement;
    ``'progressive'`` at epoch ``t`` of ``T`` (``total_epochs``, else the
    runner's ``max_epochs``); or ``'shuffle'``, :class:`SeededSampler`'s
    pass, the state before a deferred re-sampling switch. The sampler runs
    in the main process, so :meth:`set_rebalance` reaches persistent
    workers too. An epoch's ``total_size`` class-first draws come from one
    stream seeded by ``(seed, epoch)`` and rank ``r`` of ``W`` takes draws
    ``r, r + W, ...``, so the global sequence does not depend on the number
    of ranks or workers. Classes without items are never drawn (a warning
    names them). Other arguments as :class:`SeededSampler`'s.
    """

    def __init__(self,
                 dataset,
                 rebalance: str = 'balanced',
                 total_epochs: Optional[int] = None,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        self.set_rebalance(rebalance)
        if total_epochs is not None and not (isinstance(total_epochs, int)
                                             and total_epochs > 0):
            raise ValueError(f'{type(self).__name__}: total_epochs='
                             f'{total_epochs!r} is not a positive integer')
        self.total_epochs = total_epochs
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
            names = dataset.metainfo.get('classes')
            shown = [f'{names[i]} ({i})' if names else str(i)
                     for i in empty[:20]]
            more = f' and {len(empty) - 20} more' if len(empty) > 20 else ''
            MMLogger.get_current_instance().warning(
                f'{type(dataset.dataset).__name__}: {len(empty)} class(es) '
                'have no training images and are left out of re-balanced '
                f'sampling: {", ".join(shown)}{more}')

    def set_rebalance(self, rebalance: str) -> None:
        """Change the mode; takes effect at the next ``iter()``."""
        if rebalance not in SAMPLING_MODES:
            raise ValueError(
                f'{type(self).__name__}: rebalance={rebalance!r} is not one '
                f'of {", ".join(SAMPLING_MODES)}')
        self.rebalance = rebalance

    def class_probs(self) -> np.ndarray:
        """Class probabilities of the current mode and epoch (``'shuffle'``:
        the instance-balanced ones it has in expectation)."""
        counts = self.class_index.counts
        if self.rebalance != 'progressive':
            return rebalance_probs(counts, 'uniform' if self.rebalance
                                   == 'shuffle' else self.rebalance)
        total = self.total_epochs or MessageHub.get_current_instance(
        ).get_info('max_epochs')
        if not total:
            raise RuntimeError(
                f"{type(self).__name__}: rebalance='progressive' needs "
                'total_epochs outside an epoch-based runner')
        return progressive_probs(counts, min(1.0, self.epoch / int(total)))

    def rebalanced_indices(self) -> np.ndarray:
        """This rank's int64 class-first draws of the current epoch."""
        draws = self.class_index.draw(epoch_rng(self.seed, self.epoch),
                                      self.class_probs(), self.total_size)
        return draws[self.rank:self.total_size:self.world_size]

    def __iter__(self) -> Iterator[Draw]:
        if self.rebalance == 'shuffle':
            return super().__iter__()
        return iter(self.draws(self.rebalanced_indices().tolist()))


@DATA_SAMPLERS.register_module()
class DualSampler(ClassAwareSampler):
    """Yields BBN's ``BranchPair(conventional=Draw, rebalancing=Draw)``.

    The conventional half is what :class:`SeededSampler` yields (``shuffle``
    shuffles it); the re-balancing half is :class:`ClassAwareSampler`'s draw
    (``rebalance`` defaults to ``'reversed'``, BBN's) with seeds of a stream
    of its own. So both halves of draw ``k`` are a function of ``(seed,
    epoch, k)``. Pair it with :class:`DualSampleDataset`.
    """

    DATASET = DualSampleDataset

    def __init__(self, dataset, rebalance: str = 'reversed',
                 **kwargs) -> None:
        super().__init__(dataset, rebalance, **kwargs)

    def __iter__(self) -> Iterator[BranchPair]:
        rebalancing = self.draws(self.rebalanced_indices().tolist(), half=1)
        return iter([BranchPair(c, r) for c, r in zip(
            SeededSampler.__iter__(self), rebalancing)])
