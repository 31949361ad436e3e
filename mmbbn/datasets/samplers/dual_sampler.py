"""The sampler that draws BBN's (uniform, re-balanced) pairs."""
from typing import Iterator, Optional

import numpy as np

from mmbbn.registry import DATA_SAMPLERS
from mmbbn.structures import BranchPair, Draw
from ..dual_sample import DualSampleDataset
from .class_index import REBALANCE_WEIGHTS, ClassIndexSampler, rebalance_probs


@DATA_SAMPLERS.register_module()
class DualSampler(ClassIndexSampler):
    """Yields ``BranchPair(conventional=Draw, rebalancing=Draw)``.

    The conventional half is what :class:`SeededSampler` yields; the
    re-balancing half is drawn class first by the ``rebalance`` weights
    (:meth:`ClassIndexSampler.class_draws`), with seeds from a stream of
    its own. So both halves of draw ``k`` are a function of ``(seed,
    epoch, k)``, whatever the number of ranks or workers. Pair it with
    :class:`DualSampleDataset`.

    Args:
        dataset: The training set (a :class:`DualSampleDataset`).
        rebalance (str): One of :data:`REBALANCE_WEIGHTS`. Defaults to
            ``'reversed'`` (BBN).
        shuffle (bool): Shuffle the conventional half. Defaults to True.
        seed (int, optional): Seed shared by all ranks; None syncs a random
            one (MMEngine passes the runner's seed).
        round_up (bool): As in MMEngine's ``DefaultSampler``.
    """

    DATASET = DualSampleDataset

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
        self.rebalance = rebalance
        self.class_probs = rebalance_probs(self.class_index.counts,
                                           rebalance)

    def rebalanced_indices(self) -> np.ndarray:
        """This rank's int64 re-balanced draws of the current epoch."""
        return self.class_draws(self.class_probs)

    def __iter__(self) -> Iterator[BranchPair]:
        conventional = list(super().__iter__())
        rebalanced = self.rebalanced_indices()[:len(conventional)].tolist()
        seeds = self.augment_seeds(half=1)[:len(conventional)].tolist()
        return iter([
            BranchPair(conventional=c, rebalancing=Draw(j, s))
            for c, j, s in zip(conventional, rebalanced, seeds)
        ])


__all__ = ['DualSampler']
