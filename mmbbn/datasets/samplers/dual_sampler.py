"""The sampler that draws BBN's (uniform, re-balanced) index pairs."""
from typing import Iterator, Optional, Tuple

import numpy as np
from mmengine.dataset import DefaultSampler
from mmengine.logging import MMLogger

from mmbbn.registry import DATA_SAMPLERS
from ..labels import class_names, dataset_name, get_gt_labels, get_num_classes
from .class_index import (REBALANCE_WEIGHTS, ClassIndex, empty_class_message,
                          epoch_rng, rebalance_probs)


@DATA_SAMPLERS.register_module()
class DualSampler(DefaultSampler):
    """Yields ``(i, j)`` pairs: ``i`` uniform, ``j`` re-balanced.

    ``i`` is exactly what MMEngine's :class:`DefaultSampler` yields (a
    shuffled pass over the data, split across ranks without overlap).
    ``j`` is drawn with replacement: a class with probability ``P_i`` of the
    ``rebalance`` sampler, then one of its items uniformly. The draws for a
    whole epoch are a function of ``(seed, epoch)`` and are split across
    ranks like the uniform indices, so draw ``k`` of a rank is a function of
    ``(seed, epoch, rank, k)``: reproducible on a rerun and on resume,
    different on every rank and in every epoch, and the set of pairs does
    not depend on the number of ranks or data loader workers.

    The sampler runs in the main process, where MMEngine calls
    :meth:`set_epoch`; workers only receive the pairs, so persistent
    workers see each epoch's draws too. Pair with
    :class:`DualSampleDataset`, which turns a pair into two items.

    Args:
        dataset: The training set (a :class:`DualSampleDataset`).
        rebalance (str): ``'reversed'`` (BBN, default), ``'balanced'``,
            ``'uniform'`` or ``'square-root'``.
        shuffle (bool): Shuffle the uniform half. Defaults to True.
        seed (int, optional): Seed shared by all ranks; None syncs a random
            one (MMEngine passes the runner's seed).
        round_up (bool): As in :class:`DefaultSampler`. Defaults to True.
    """

    def __init__(self,
                 dataset,
                 rebalance: str = 'reversed',
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        if rebalance not in REBALANCE_WEIGHTS:
            raise ValueError(
                f'DualSampler: rebalance={rebalance!r} is not one of '
                f'{", ".join(REBALANCE_WEIGHTS)}')
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)
        name = dataset_name(dataset)
        if not hasattr(dataset, 'pair_item'):
            raise TypeError(
                f'DualSampler: dataset {name} cannot take index pairs; wrap '
                "it: dataset=dict(type='DualSampleDataset', dataset=...)")
        labels = get_gt_labels(dataset)
        self.rebalance = rebalance
        self.class_index = ClassIndex(labels,
                                      get_num_classes(dataset, labels))
        counts = self.class_index.counts
        self.class_probs = rebalance_probs(counts, rebalance)
        empty = np.flatnonzero(counts == 0)
        message = empty_class_message(
            name, counts, class_names(dataset, empty) if len(empty) else
            None)
        if message:
            MMLogger.get_current_instance().warning(message)

    def rebalanced_indices(self) -> np.ndarray:
        """This rank's re-balanced draws for the current epoch.

        Returns:
            np.ndarray: int64 item indices, one per uniform index.
        """
        draws = self.class_index.draw(
            epoch_rng(self.seed, self.epoch), self.class_probs,
            self.total_size)
        return draws[self.rank:self.total_size:self.world_size]

    def __iter__(self) -> Iterator[Tuple[int, int]]:
        uniform = list(super().__iter__())
        rebalanced = self.rebalanced_indices()[:len(uniform)].tolist()
        return iter(zip(uniform, rebalanced))


__all__ = ['DualSampler']
