"""``torch.compile`` of the trunk and branches, where it pays."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmbbn.registry import HOOKS


def compile_targets(model: nn.Module) -> List[str]:
    """The parts of a classifier worth compiling: trunk and branch blocks.

    ``backbone``, and every child of ``neck`` that has parameters (BBN's
    two branch blocks; nothing for a plain pooling neck). The head, the
    loss and the data preprocessor stay eager: BBN's head mixes with a
    Python float (alpha) that changes every epoch, which would recompile a
    compiled graph each time, and they are a few kernels.

    Args:
        model (nn.Module): An MMPretrain classifier.

    Returns:
        list[str]: Dotted submodule names.
    """
    names = ['backbone'] if hasattr(model, 'backbone') else []
    neck = getattr(model, 'neck', None)
    if neck is not None:
        names += [f'neck.{n}' for n, m in neck.named_children()
                  if any(True for _ in m.parameters())]
    return names


@HOOKS.register_module()
class CompileHook(Hook):
    """Compiles parts of the model in place, before training starts.

    ``nn.Module.compile`` keeps each module and its state-dict keys, so
    checkpoints are those of the eager model. Compiles only on the given
    device types (the model's device decides), so one config trains
    compiled on a GPU and eagerly elsewhere.

    Args:
        targets (Sequence[str], optional): Dotted submodule names. Defaults
            to :func:`compile_targets` (trunk and branch blocks).
        mode (str, optional): ``torch.compile`` mode: ``'default'``,
            ``'reduce-overhead'`` (CUDA graphs: no per-kernel launch
            cost), ``'max-autotune'``. Defaults to None (torch's default).
        dynamic (bool): Compile for dynamic shapes. Defaults to False.
        devices (Sequence[str]): Device types to compile on. Defaults to
            ``('cuda', )``.
    """

    priority = 'LOW'

    def __init__(self,
                 targets: Optional[Sequence[str]] = None,
                 mode: Optional[str] = None,
                 dynamic: bool = False,
                 devices: Sequence[str] = ('cuda', )) -> None:
        self.targets = None if targets is None else list(targets)
        self.mode = mode
        self.dynamic = dynamic
        self.devices = tuple(devices)
        self._graphs = False

    def before_train(self, runner) -> None:
        """Compile the targets (after weights are loaded or resumed)."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        device = next(model.parameters()).device.type
        if device not in self.devices:
            runner.logger.info(f'CompileHook: not compiling on {device} '
                               f'(devices={self.devices})')
            return
        targets = self.targets or compile_targets(model)
        for name in targets:
            module = model.get_submodule(name)
            module.compile(mode=self.mode, dynamic=self.dynamic)
        self._graphs = self.mode == 'reduce-overhead'
        runner.logger.info(f'CompileHook: compiled {", ".join(targets)} '
                           f'(mode={self.mode}, dynamic={self.dynamic})')

    def _step_begins(self) -> None:
        """Tell CUDA graph trees that the previous step's outputs are done.

        Both halves of a BBN pair replay the trunk's graph within one
        step; the mark separates steps (torch cannot see them itself).
        """
        if self._graphs:
            torch.compiler.cudagraph_mark_step_begin()

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """A training step begins."""
        self._step_begins()

    def before_val_iter(self, runner, batch_idx: int,
                        data_batch=None) -> None:
        """An evaluation step begins."""
        self._step_begins()

    def before_test_iter(self, runner, batch_idx: int,
                         data_batch=None) -> None:
        """A test step begins."""
        self._step_begins()


__all__ = ['CompileHook', 'compile_targets']
