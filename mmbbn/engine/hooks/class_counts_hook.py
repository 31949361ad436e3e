"""Gives every module that asks for them the training-class counts."""
from typing import Iterator, List, Optional

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


@HOOKS.register_module()
class ClassCountsHook(Hook):
    """Calls ``set_class_counts(counts)`` on every module that has it.

    The counts are those of the training set of the same config (see
    :func:`train_class_counts`), so no config ever types them. They are
    set before training, validation and testing; they are derived again
    in every run and never saved, so a resumed run gets the same values.
    Modules that want them (the losses of :mod:`mmbbn.models.losses`,
    :class:`PostHocLinearClsHead`) define ``set_class_counts``; a model
    without such modules costs nothing (the training set is not even
    looked at).
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self) -> None:
        self._counts: Optional[np.ndarray] = None

    def _apply(self, runner) -> None:
        targets: List[nn.Module] = list(
            modules_with(runner.model, 'set_class_counts'))
        if not targets:
            return
        if self._counts is None:
            try:
                self._counts = train_class_counts(runner)
            except ValueError as e:
                names = sorted({type(m).__name__ for m in targets})
                raise ValueError(
                    f'ClassCountsHook: {", ".join(names)} need(s) the '
                    f'training-class counts, but {e}') from None
            counts = self._counts
            shown = (counts.tolist() if len(counts) <= 20 else
                     f'{len(counts)} classes, {counts.max()} .. '
                     f'{counts.min()}')
            runner.logger.info(
                f'ClassCountsHook: {int(counts.sum())} training images '
                f'({shown}) -> ' +
                ', '.join(sorted({type(m).__name__ for m in targets})))
        for module in targets:
            module.set_class_counts(self._counts)

    def before_train(self, runner) -> None:
        """Set the counts before the first training step."""
        self._apply(runner)

    def before_val(self, runner) -> None:
        """Set the counts for a validation outside training."""
        self._apply(runner)

    def before_test(self, runner) -> None:
        """Set the counts after the checkpoint is loaded, before testing."""
        self._apply(runner)


__all__ = ['ClassCountsHook', 'modules_with', 'train_class_counts', 'unwrap']
