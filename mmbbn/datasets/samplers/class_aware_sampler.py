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
    """Kang et al.'s progressively-balanced class probabilities.

    ``p_j(t) = (1 - t / T) p_j^IB + (t / T) p_j^CB`` with ``p^IB`` the
    instance-balanced (``N_j / N``) and ``p^CB`` the class-balanced
    (``1 / C``) distribution.

    Args:
        counts (np.ndarray): Items per class.
        progress (float): ``t / T`` in [0, 1].

    Returns:
        np.ndarray: float64 probabilities.
    """
    return ((1.0 - progress) * rebalance_probs(counts, 'uniform') +
            progress * rebalance_probs(counts, 'balanced'))


@DATA_SAMPLERS.register_module()
class ClassAwareSampler(ClassIndexSampler):
    """Draws training items class first, reproducibly on any number of ranks.

    Modes (``rebalance``):

    - ``'balanced'`` (RS, class-balanced): a class uniformly, then one of
      its items uniformly, with replacement;
    - ``'square-root'``: class ``j`` with probability ``∝ sqrt(N_j)``;
    - ``'reversed'``: ``∝ N_max / N_j`` (BBN's re-balancing branch);
    - ``'uniform'``: ``∝ N_j``, every item equally likely, with replacement;
    - ``'progressive'`` (Kang et al. 2020): ``(1 - t/T) p^IB + (t/T) p^CB``
      at epoch ``t`` of ``T`` (``total_epochs``, else the runner's
      ``max_epochs``);
    - ``'shuffle'``: :class:`SeededSampler` (MMEngine's ``DefaultSampler``
      indices, each item once per epoch), the state before a deferred
      re-sampling switch.

    Draws are laid out as in :meth:`ClassIndexSampler.class_draws` and
    carry their augmentation seeds as in :class:`SeededSampler`, so the
    global sequence of :class:`Draw`\\ s is reproducible on a rerun and on
    resume and does not depend on the number of ranks or workers. The
    sampler runs in the main process, so switching its mode
    (:meth:`set_rebalance`, see :class:`DeferredResamplingHook`) reaches
    persistent data loader workers too: they only receive draws.

    Classes without items are never drawn (a warning names them).

    Args:
        dataset: A single-label training set (``get_gt_labels()``).
        rebalance (str): One of :data:`SAMPLING_MODES`. Defaults to
            ``'balanced'``.
        total_epochs (int, optional): ``T`` of ``'progressive'``; by default
            the runner's ``max_epochs``.
        shuffle (bool): Shuffle in ``'shuffle'`` mode. Defaults to True.
        seed (int, optional): Seed shared by all ranks; None syncs a random
            one (MMEngine passes the runner's seed).
        round_up (bool): As in MMEngine's ``DefaultSampler``. Defaults to
            True.
    """

    def __init__(self,
                 dataset,
                 rebalance: str = 'balanced',
                 total_epochs: Optional[int] = None,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        self._check_mode(rebalance)
        if total_epochs is not None and not (isinstance(total_epochs, int)
                                             and total_epochs > 0):
            raise ValueError(f'ClassAwareSampler: total_epochs='
                             f'{total_epochs!r} is not a positive integer')
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)
        self.rebalance = rebalance
        self.total_epochs = total_epochs

    @staticmethod
    def _check_mode(rebalance: str) -> None:
        if rebalance not in SAMPLING_MODES:
            raise ValueError(
                f'ClassAwareSampler: rebalance={rebalance!r} is not one of '
                f'{", ".join(SAMPLING_MODES)}')

    def set_rebalance(self, rebalance: str) -> None:
        """Change the mode; takes effect at the next ``iter()``.

        Args:
            rebalance (str): One of :data:`SAMPLING_MODES`.
        """
        self._check_mode(rebalance)
        self.rebalance = rebalance

    def epochs_total(self) -> int:
        """``T`` of progressive sampling.

        Returns:
            int: ``total_epochs``, else the runner's ``max_epochs``.
        """
        if self.total_epochs is not None:
            return self.total_epochs
        total = MessageHub.get_current_instance().get_info('max_epochs')
        if not total:
            raise RuntimeError(
                "ClassAwareSampler: rebalance='progressive' needs "
                'total_epochs outside an epoch-based runner')
        return int(total)

    def class_probs(self) -> np.ndarray:
        """Class probabilities of the current mode and epoch.

        Returns:
            np.ndarray: float64 probabilities (``'shuffle'``: the
            instance-balanced ones it has in expectation).
        """
        counts = self.class_index.counts
        if self.rebalance == 'shuffle':
            return rebalance_probs(counts, 'uniform')
        if self.rebalance == 'progressive':
            progress = min(1.0, self.epoch / self.epochs_total())
            return progressive_probs(counts, progress)
        return rebalance_probs(counts, self.rebalance)

    def __iter__(self) -> Iterator[Draw]:
        if self.rebalance == 'shuffle':
            return super().__iter__()
        return iter(self.draws(self.class_draws(self.class_probs()).tolist()))


__all__ = ['ClassAwareSampler', 'SAMPLING_MODES', 'progressive_probs']
