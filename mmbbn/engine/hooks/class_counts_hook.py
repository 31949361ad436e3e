"""Gives every module and metric that asks the training-class counts."""
from typing import Iterator, List, Optional, Sequence

import numpy as np
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import BaseLoop

from mmbbn.datasets.labels import get_class_counts
from mmbbn.registry import DATASETS, HOOKS


def train_class_counts(runner) -> np.ndarray:
    """Training images per class of the runner's config, from labels alone.

    The built training set when the runner has built its train loop;
    otherwise (``tools/test.py``, ``runner.val()``) the
    ``train_dataloader.dataset`` config is built, which reads annotations
    but decodes no image.

    Args:
        runner (Runner): The runner.

    Returns:
        np.ndarray: int64 counts of shape (num_classes, ).

    Raises:
        ValueError: The config has no training set, or its items have no
            single-label annotations.
    """
    loop = getattr(runner, '_train_loop', None)
    if isinstance(loop, BaseLoop):
        dataset = loop.dataloader.dataset
    else:
        loader_cfg = runner.cfg.get('train_dataloader') or {}
        if loader_cfg.get('dataset') is None:
            raise ValueError('the config has no train_dataloader.dataset to '
                             'count the training classes of')
        init_default_scope(runner.cfg.get('default_scope', 'mmpretrain'))
        dataset = DATASETS.build(loader_cfg['dataset'])
    return get_class_counts(dataset)


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside a (distributed) model wrapper."""
    return model.module if is_model_wrapper(model) else model


def modules_with(model: nn.Module, method: str) -> Iterator[nn.Module]:
    """Sub-modules of ``model`` that have a callable ``method``."""
    for module in unwrap(model).modules():
        if callable(getattr(module, method, None)):
            yield module


def _evaluator_metrics(runner, loop_name: str) -> list:
    """Metrics of a built loop's evaluator that want the counts."""
    loop = getattr(runner, loop_name, None)
    metrics = getattr(getattr(loop, 'evaluator', None), 'metrics', None)
    return [m for m in metrics or []
            if callable(getattr(m, 'set_class_counts', None))
            and getattr(m, 'needs_class_counts', True)]


@HOOKS.register_module()
class ClassCountsHook(Hook):
    """Calls ``set_class_counts(counts)`` on every module that has it.

    The counts are those of the training set of the same config (see
    :func:`train_class_counts`), so no config ever types them. The
    receivers are the model's modules that define ``set_class_counts``
    (the losses of :mod:`mmbbn.models.losses`,
    :class:`PostHocLinearClsHead`) and the metrics of the running
    validation or test evaluator that define it (:class:`LongTailMetric`,
    unless it was given counts). They are set before training, each
    validation and testing; they are derived once per run and never
    saved, so a resumed run gets the same values. Where nothing asks for
    them the training set is not even looked at.

    A model module that needs the counts fails the run in one line when
    they cannot be derived; a metric only loses its many / medium / few
    figures, with a warning saying why (the test split may be all a user
    has).
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self) -> None:
        self._counts: Optional[np.ndarray] = None
        self._error: Optional[Exception] = None

    def _derive(self, runner, targets: list, modules: list) -> None:
        """Derive the counts once; log them, or why there are none.

        Raises when a model module needs them and they cannot be derived.
        """
        def names(objs) -> str:
            return ', '.join(sorted({type(m).__name__ for m in objs}))

        if self._counts is None and self._error is None:
            try:
                self._counts = train_class_counts(runner)
            except Exception as e:
                self._error = e
                if not modules:
                    runner.logger.warning(
                        'ClassCountsHook: no training counts, so no many/'
                        f'medium/few accuracy ({type(e).__name__}: {e})')
            else:
                counts = self._counts
                shown = (counts.tolist() if len(counts) <= 20 else
                         f'{len(counts)} classes, {counts.max()} .. '
                         f'{counts.min()}')
                runner.logger.info(
                    f'ClassCountsHook: {int(counts.sum())} training images '
                    f'({shown}) -> {names(targets)}')
        if self._counts is None and modules:
            if isinstance(self._error, ValueError):
                raise ValueError(
                    f'ClassCountsHook: {names(modules)} need(s) the '
                    f'training-class counts, but {self._error}') from None
            raise self._error

    def _apply(self, runner, metrics: Sequence = ()) -> None:
        modules: List[nn.Module] = list(
            modules_with(runner.model, 'set_class_counts'))
        targets = modules + list(metrics)
        if not targets:
            return
        self._derive(runner, targets, modules)
        if self._counts is None:
            return
        for target in targets:
            target.set_class_counts(self._counts)

    def before_train(self, runner) -> None:
        """Set the counts before the first training step."""
        self._apply(runner)

    def before_val(self, runner) -> None:
        """Set the counts of the model and the validation metrics."""
        self._apply(runner, _evaluator_metrics(runner, '_val_loop'))

    def before_test(self, runner) -> None:
        """Set the counts after the checkpoint is loaded, before testing."""
        self._apply(runner, _evaluator_metrics(runner, '_test_loop'))


__all__ = ['ClassCountsHook', 'modules_with', 'train_class_counts', 'unwrap']
