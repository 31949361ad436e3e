"""BBN's cumulative learning: alpha as a pure function of progress."""
import math
from typing import Optional

import numpy as np
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop

from mmbbn.registry import HOOKS

ALPHA_SCHEDULES = ('parabolic_decay', 'cosine_decay', 'linear_decay',
                   'equal', 'beta', 'parabolic_increment', 'step')


def cumulative_alpha(schedule: str,
                     progress: int,
                     total: int,
                     step_at: Optional[int] = None,
                     beta: float = 0.2,
                     seed: int = 0,
                     draw: int = 0) -> float:
    """Weight of the conventional branch after ``progress`` of ``total``.

    With ``t = progress / total`` (progress counted from 0, so the official
    1-based ``(epoch - 1) / T`` is ``runner.epoch / T``):

    - ``parabolic_decay`` (BBN's default): ``1 - t ** 2``
    - ``cosine_decay``: ``cos(t * pi / 2)``
    - ``linear_decay``: ``1 - t``
    - ``equal``: ``0.5``
    - ``beta``: a draw from Beta(beta, beta), a function of ``(seed, draw)``
    - ``parabolic_increment``: ``t ** 2``
    - ``step``: 1 while ``progress < step_at``, then 0 (official: 120 of
      200 epochs).

    Args:
        schedule (str): One of :data:`ALPHA_SCHEDULES`.
        progress (int): Completed epochs (or iterations), from 0.
        total (int): ``T``, the epochs (or iterations) of the schedule.
        step_at (int, optional): Switch point of ``step``.
        beta (float): Parameter of ``beta``. Defaults to 0.2.
        seed (int): Seed of ``beta``.
        draw (int): Index of the ``beta`` draw (the iteration).

    Returns:
        float: alpha in [0, 1].
    """
    t = progress / total
    if schedule == 'parabolic_decay':
        alpha = 1.0 - t**2
    elif schedule == 'cosine_decay':
        alpha = math.cos(t * math.pi / 2)
    elif schedule == 'linear_decay':
        alpha = 1.0 - t
    elif schedule == 'equal':
        alpha = 0.5
    elif schedule == 'beta':
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(draw)])
        alpha = float(rng.beta(beta, beta))
    elif schedule == 'parabolic_increment':
        alpha = t**2
    elif schedule == 'step':
        if step_at is None:
            raise ValueError("schedule 'step' needs step_at")
        alpha = 1.0 if progress < step_at else 0.0
    else:
        raise ValueError(f'schedule={schedule!r} is not one of '
                         f'{", ".join(ALPHA_SCHEDULES)}')
    return min(1.0, max(0.0, alpha))


def official_t_max(max_epochs: int) -> int:
    """The official code's T: 100 for 90 epochs, 200 for 180, else max.

    Args:
        max_epochs (int): Epochs of training.

    Returns:
        int: The ``T`` of ``1 - ((epoch - 1) / T) ** 2``.
    """
    if max_epochs in (90, 180):
        return 100 * (max_epochs // 100 + 1)
    return max_epochs


@HOOKS.register_module()
class CumulativeAlphaHook(Hook):
    """Sets BBN's alpha before every training iteration; logs it.

    The only writer of ``BBNHead.alpha``. alpha is a pure function of the
    runner's progress (epoch or iteration) and the schedule, so it is the
    same on every rank and right after a resume without any saved state.
    With ``by_epoch`` (the default for epoch-based loops) alpha is constant
    within an epoch, as in the official code: 1 in the first epoch and
    ``1 - (199 / 200) ** 2 ~ 0.01`` in the last of 200. Iteration-based
    loops (or ``by_epoch=False``) use ``runner.iter / max_iters``.

    Every iteration ``train/alpha`` goes to the message hub, so the logger
    and every visualizer backend record it with the losses.

    Args:
        schedule (str): One of :data:`ALPHA_SCHEDULES`. Defaults to
            ``'parabolic_decay'``.
        by_epoch (bool, optional): Count progress in epochs; None picks by
            the train loop.
        t_max (int, optional): ``T``; defaults to the loop's max epochs (or
            iterations).
        official_t_quirk (bool): Use the official code's ``T`` (100 for 90
            epochs, 200 for 180), so 90/180-epoch runs end at alpha ~ 0.19
            / 0.19 rather than ~0.02. Defaults to False.
        step_at (int, optional): Switch point of ``'step'`` in the same
            unit; defaults to 60% of ``T`` (the official 120 of 200).
        beta (float): Parameter of ``'beta'``, > 0. Defaults to 0.2.
        seed (int, optional): Seed of ``'beta'``; defaults to the runner's.
    """

    priority = 'NORMAL'

    def __init__(self,
                 schedule: str = 'parabolic_decay',
                 by_epoch: Optional[bool] = None,
                 t_max: Optional[int] = None,
                 official_t_quirk: bool = False,
                 step_at: Optional[int] = None,
                 beta: float = 0.2,
                 seed: Optional[int] = None) -> None:
        if schedule not in ALPHA_SCHEDULES:
            raise ValueError(
                f'CumulativeAlphaHook: schedule={schedule!r} is not one of '
                f'{", ".join(ALPHA_SCHEDULES)}')
        if t_max is not None and not (isinstance(t_max, int) and t_max > 0):
            raise ValueError(
                f'CumulativeAlphaHook: t_max={t_max!r} is not a positive '
                'integer')
        if step_at is not None and not (isinstance(step_at, int)
                                        and step_at > 0):
            raise ValueError(
                f'CumulativeAlphaHook: step_at={step_at!r} is not a '
                'positive integer')
        if not beta > 0:
            raise ValueError(
                f'CumulativeAlphaHook: beta={beta!r} is not positive')
        self.schedule = schedule
        self.by_epoch = by_epoch
        self.t_max = t_max
        self.official_t_quirk = official_t_quirk
        self.step_at = step_at
        self.beta = beta
        self.seed = seed
        self._total: Optional[int] = None

    @staticmethod
    def _head(runner):
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        head = getattr(model, 'head', None)
        if head is None or not hasattr(head, 'alpha'):
            raise TypeError(
                'CumulativeAlphaHook needs a model whose head has alpha '
                f'(BBNHead); got {type(head).__name__} in '
                f'{type(model).__name__}')
        return head

    def before_train(self, runner) -> None:
        """Check the model and fix ``T`` from the train loop."""
        self._head(runner)
        epoch_loop = not isinstance(runner.train_loop, IterBasedTrainLoop)
        if self.by_epoch is None:
            self.by_epoch = epoch_loop
        if self.by_epoch and not epoch_loop:
            raise ValueError('CumulativeAlphaHook: by_epoch=True, but the '
                             'train loop counts iterations')
        loop_total = runner.max_epochs if self.by_epoch else runner.max_iters
        if self.t_max is not None:
            total = self.t_max
        elif self.official_t_quirk and self.by_epoch:
            total = official_t_max(loop_total)
        else:
            total = loop_total
        self._total = total
        if self.step_at is None:
            self.step_at = max(1, round(0.6 * total))
        if self.schedule == 'step' and self.step_at > loop_total:
            raise ValueError(
                f'CumulativeAlphaHook: step_at={self.step_at} is past the '
                f'end of training ({loop_total})')
        if self.seed is None:
            self.seed = runner.seed if runner.seed is not None else 0

    def alpha_at(self, epoch: int, iteration: int) -> float:
        """alpha for the step at (epoch, iteration), both from 0.

        Args:
            epoch (int): Current epoch.
            iteration (int): Current global iteration.

        Returns:
            float: alpha.
        """
        if self._total is None:
            raise RuntimeError('CumulativeAlphaHook: before_train has not '
                               'run')
        progress = epoch if self.by_epoch else iteration
        return cumulative_alpha(
            self.schedule,
            progress,
            self._total,
            step_at=self.step_at,
            beta=self.beta,
            seed=self.seed,
            draw=iteration)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Set and record alpha for the coming step."""
        alpha = self.alpha_at(runner.epoch, runner.iter)
        self._head(runner).alpha = alpha
        runner.message_hub.update_scalar('train/alpha', alpha)


__all__ = [
    'ALPHA_SCHEDULES', 'CumulativeAlphaHook', 'cumulative_alpha',
    'official_t_max'
]
