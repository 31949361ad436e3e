"""Class-aware re-sampling (RS, square-root, progressive) that is DDP-safe."""
from typing import Iterator, Optional

import numpy as np
from mmengine.logging import MessageHub

from mmbbn.registry import DATA_SAMPLERS
from mmbbn.structures import Draw
from .class_index import REBALANCE_WEIGHTS, ClassIndexSampler, rebalance_probs

# 'shuffle': MMEngine's DefaultSampler pass (every item once per epoch);
# 'progressive': Kang et al.'s progressively-balanced sampling; the rest
# draw with replacement by the class weights of REBALANCE_WEIGHTS.
SAMPLING_MODES = ('shuffle', 'progressive') + tuple(REBALANCE_WEIGHTS)


def progressive_probs(counts: np.ndarray, progress: float) -> np.ndarray:
    """Kang et al.'s ``(1 - t / T) p^IB + (t / T) p^CB`` at ``progress``
    ``t / T``, with ``p^IB`` instance- and ``p^CB`` class-balanced."""
    return ((1.0 - progress) * rebalance_probs(counts, 'uniform') +
            progress * rebalance_probs(counts, 'balanced'))


@DATA_SAMPLERS.register_module()
class ClassAwareSampler(ClassIndexSampler):
    """Draws training items class first, reproducibly on any number of ranks.

    ``rebalance`` is one of :data:`SAMPLING_MODES`: a class by the weights
    of :data:`REBALANCE_WEIGHTS` then one of its items, with replacement;
    ``'progressive'`` at epoch ``t`` of ``T`` (``total_epochs``, else the
    runner's ``max_epochs``); or ``'shuffle'``, :class:`SeededSampler`'s
    pass, the state before a deferred re-sampling switch. The sampler runs
    in the main process, so :meth:`set_rebalance` (see
    :class:`DeferredResamplingHook`) reaches persistent workers too.

    Args:
        dataset: A :class:`SeededDataset` of a single-label training set.
        rebalance (str): One of :data:`SAMPLING_MODES`. Defaults to
            ``'balanced'``.
        total_epochs (int, optional): ``T`` of ``'progressive'``.
        shuffle (bool): Shuffle in ``'shuffle'`` mode. Defaults to True.
        seed (int, optional): Seed shared by all ranks; None syncs a random
            one (MMEngine passes the runner's seed).
        round_up (bool): As in MMEngine's ``DefaultSampler``.
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
            raise ValueError(f'ClassAwareSampler: total_epochs='
                             f'{total_epochs!r} is not a positive integer')
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)
        self.total_epochs = total_epochs

    def set_rebalance(self, rebalance: str) -> None:
        """Change the mode; takes effect at the next ``iter()``."""
        if rebalance not in SAMPLING_MODES:
            raise ValueError(
                f'ClassAwareSampler: rebalance={rebalance!r} is not one of '
                f'{", ".join(SAMPLING_MODES)}')
        self.rebalance = rebalance

    def class_probs(self) -> np.ndarray:
        """Class probabilities of the current mode and epoch (``'shuffle'``:
        the instance-balanced ones it has in expectation)."""
        counts = self.class_index.counts
        if self.rebalance == 'shuffle':
            return rebalance_probs(counts, 'uniform')
        if self.rebalance != 'progressive':
            return rebalance_probs(counts, self.rebalance)
        total = self.total_epochs or MessageHub.get_current_instance(
        ).get_info('max_epochs')
        if not total:
            raise RuntimeError(
                "ClassAwareSampler: rebalance='progressive' needs "
                'total_epochs outside an epoch-based runner')
        return progressive_probs(counts, min(1.0, self.epoch / int(total)))

    def __iter__(self) -> Iterator[Draw]:
        if self.rebalance == 'shuffle':
            return super().__iter__()
        return iter(self.draws(self.class_draws(self.class_probs()).tolist()))


__all__ = ['ClassAwareSampler', 'SAMPLING_MODES', 'progressive_probs']
