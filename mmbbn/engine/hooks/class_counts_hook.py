"""Gives every module and metric that asks the training-class counts."""
from typing import Iterator, Optional

import numpy as np
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import BaseLoop

from mmbbn.datasets.labels import get_class_counts
from mmbbn.registry import DATASETS, HOOKS


def train_class_counts(runner) -> np.ndarray:
    """Training images per class, from the built train loop's data set,
    else (``tools/test.py``, ``runner.val()``) from the config's
    ``train_dataloader.dataset`` (annotations only, no image decoded)."""
    loop = getattr(runner, '_train_loop', None)
    if isinstance(loop, BaseLoop):
        return get_class_counts(loop.dataloader.dataset)
    dataset = (runner.cfg.get('train_dataloader') or {}).get('dataset')
    if dataset is None:
        raise ValueError('the config has no train_dataloader.dataset to '
                         'count the training classes of')
    init_default_scope(runner.cfg.get('default_scope', 'mmpretrain'))
    return get_class_counts(DATASETS.build(dataset))


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside a (distributed) model wrapper."""
    return model.module if is_model_wrapper(model) else model


def modules_with(model: nn.Module, method: str) -> Iterator[nn.Module]:
    """Sub-modules of ``model`` that have a callable ``method``."""
    return (m for m in unwrap(model).modules()
            if callable(getattr(m, method, None)))


def _names(objs) -> str:
    return ', '.join(sorted({type(m).__name__ for m in objs}))


@HOOKS.register_module()
class ClassCountsHook(Hook):
    """Calls ``set_class_counts(counts)`` with the config's training counts
    on every module and metric that has it.

    Receivers: the model's modules (mmbbn's losses,
    :class:`PostHocLinearClsHead`) before training, each validation and
    testing, and the running loop's metrics that still need counts
    (:class:`LongTailMetric`). The counts are derived once, only if asked
    for, and never saved. A module fails the run without them; a metric
    only loses its many / medium / few figures, with a warning.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self) -> None:
        self._counts: Optional[np.ndarray] = None
        self._error: Optional[Exception] = None

    def _apply(self, runner, loop: str = '_train_loop') -> None:
        """Hand the counts to the model and to ``loop``'s metrics."""
        modules = list(modules_with(runner.model, 'set_class_counts'))
        evaluator = getattr(getattr(runner, loop, None), 'evaluator', None)
        targets = modules + [
            m for m in getattr(evaluator, 'metrics', None) or []
            if callable(getattr(m, 'set_class_counts', None))
            and getattr(m, 'needs_class_counts', True)
        ]
        if targets and self._counts is None and self._error is None:
            try:
                self._counts = counts = train_class_counts(runner)
            except Exception as e:
                self._error = e
                if not modules:
                    runner.logger.warning(
                        'ClassCountsHook: no training counts, so no many/'
                        f'medium/few accuracy ({type(e).__name__}: {e})')
            else:
                shown = (counts.tolist() if len(counts) <= 20 else
                         f'{len(counts)} classes, {counts.max()} .. '
                         f'{counts.min()}')
                runner.logger.info(
                    f'ClassCountsHook: {int(counts.sum())} training images '
                    f'({shown}) -> {_names(targets)}')
        if self._counts is None:
            if modules and isinstance(self._error, ValueError):
                raise ValueError(
                    f'ClassCountsHook: {_names(modules)} need(s) the '
                    f'training-class counts, but {self._error}') from None
            if modules:
                raise self._error
            return
        for target in targets:
            target.set_class_counts(self._counts)

    def before_train(self, runner) -> None:
        """Set the counts before the first training step."""
        self._apply(runner)

    def before_val(self, runner) -> None:
        """Set the counts of the model and the validation metrics."""
        self._apply(runner, '_val_loop')

    def before_test(self, runner) -> None:
        """Set the counts after the checkpoint is loaded, before testing."""
        self._apply(runner, '_test_loop')
