"""BBN's cumulative learning: alpha as a pure function of progress."""
import math
from typing import Optional

import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from mmbbn.registry import HOOKS
from .class_counts_hook import unwrap

# The schedules that are a curve of progress t in [0, 1].
_CURVES = dict(parabolic_decay=lambda t: 1.0 - t**2,
               cosine_decay=lambda t: math.cos(t * math.pi / 2),
               linear_decay=lambda t: 1.0 - t,
               equal=lambda t: 0.5,
               parabolic_increment=lambda t: t**2)
ALPHA_SCHEDULES = ('parabolic_decay', 'cosine_decay', 'linear_decay',
                   'equal', 'beta', 'parabolic_increment', 'step')


def _bad_schedule(schedule: str) -> str:
    return (f'schedule={schedule!r} is not one of '
            f'{", ".join(ALPHA_SCHEDULES)}')


def cumulative_alpha(schedule: str, progress: int, total: int,
                     step_at: Optional[int] = None, beta: float = 0.2,
                     seed: int = 0, draw: int = 0) -> float:
    """alpha, the conventional branch's weight, at ``progress`` (from 0)
    of ``total``.

    Curves take ``t = progress / total`` (the official ``(epoch - 1) / T``
    is ``runner.epoch / T``); ``beta`` is a Beta(beta, beta) draw seeded by
    ``(seed, draw)``; ``step`` is 1 while ``progress < step_at``, then 0.
    """
    if schedule == 'beta':
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(draw)])
        alpha = rng.beta(beta, beta)
    elif schedule == 'step':
        if step_at is None:
            raise ValueError("schedule 'step' needs step_at")
        alpha = float(progress < step_at)
    elif schedule in _CURVES:
        alpha = _CURVES[schedule](progress / total)
    else:
        raise ValueError(_bad_schedule(schedule))
    return min(1.0, max(0.0, float(alpha)))


def official_t_max(max_epochs: int) -> int:
    """The official code's T for ``max_epochs`` (90: 100, 180: 200)."""
    return {90: 100, 180: 200}.get(max_epochs, max_epochs)


@HOOKS.register_module()
class CumulativeAlphaHook(Hook):
    """Sets BBN's alpha before every training iteration and logs it
    (``train/alpha``).

    The only writer of ``BBNHead.alpha``: a pure function of the runner's
    progress, so the same on every rank and after a resume, with no saved
    state. By epoch (the official way) it is constant within an epoch.

    Args:
        schedule (str): One of :data:`ALPHA_SCHEDULES` (see
            :func:`cumulative_alpha`). Defaults to ``'parabolic_decay'``.
        by_epoch (bool, optional): Count progress in epochs; None picks by
            the train loop.
        t_max (int, optional): ``T``; defaults to the loop's length.
        official_t_quirk (bool): Use the official ``T``
            (:func:`official_t_max`: runs end at alpha ~ 0.19, not ~0.02).
            Defaults to False.
        step_at (int, optional): Switch point of ``'step'``, in the same
            unit; defaults to 60% of ``T`` (the official 120 of 200).
        beta (float): Parameter of ``'beta'``. Defaults to 0.2.
        seed (int, optional): Seed of ``'beta'``; defaults to the runner's.
    """

    def __init__(self, schedule: str = 'parabolic_decay',
                 by_epoch: Optional[bool] = None,
                 t_max: Optional[int] = None, official_t_quirk: bool = False,
                 step_at: Optional[int] = None, beta: float = 0.2,
                 seed: Optional[int] = None) -> None:
        bad = [] if schedule in ALPHA_SCHEDULES else [_bad_schedule(schedule)]
        bad += [f'{k}={v!r} is not a positive integer' for k, v in dict(
            t_max=t_max, step_at=step_at).items()
            if v is not None and not (isinstance(v, int) and v > 0)]
        bad += [] if beta > 0 else [f'beta={beta!r} is not positive']
        if bad:
            raise ValueError(f'CumulativeAlphaHook: {bad[0]}')
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
        model = unwrap(runner.model)
        head = getattr(model, 'head', None)
        if not hasattr(head, 'alpha'):
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
        self._total = self.t_max or (
            official_t_max(loop_total)
            if self.official_t_quirk and self.by_epoch else loop_total)
        if self.step_at is None:
            self.step_at = max(1, round(0.6 * self._total))
        if self.schedule == 'step' and self.step_at > loop_total:
            raise ValueError(
                f'CumulativeAlphaHook: step_at={self.step_at} is past the '
                f'end of training ({loop_total})')
        if self.seed is None:
            self.seed = runner.seed if runner.seed is not None else 0

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Set and record alpha for the coming step."""
        alpha = cumulative_alpha(
            self.schedule, runner.epoch if self.by_epoch else runner.iter,
            self._total, self.step_at, self.beta, self.seed, runner.iter)
        self._head(runner).alpha = alpha
        runner.message_hub.update_scalar('train/alpha', alpha)
