"""``torch.compile`` of the trunk and branches, where it pays."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.hooks import Hook

from mmbbn.registry import HOOKS
from .class_counts_hook import unwrap


def compile_targets(model: nn.Module) -> List[str]:
    """Dotted names of the parts worth compiling: ``backbone`` and each
    child of ``neck`` with parameters (BBN's branch blocks).

    The head, loss and data preprocessor stay eager: they are a few
    kernels, and BBN's head mixes with a Python float (alpha) that would
    recompile a graph whenever it changes.
    """
    names = ['backbone'] if hasattr(model, 'backbone') else []
    neck = getattr(model, 'neck', None)
    if neck is not None:
        names += [f'neck.{n}' for n, m in neck.named_children()
                  if any(True for _ in m.parameters())]
    return names


@HOOKS.register_module()
class CompileHook(Hook):
    """Compiles parts of the model in place, before training starts, on
    the given device types only (one config trains compiled on a GPU and
    eagerly elsewhere); ``nn.Module.compile`` keeps the state-dict keys.

    Args:
        targets (Sequence[str], optional): Dotted submodule names. Defaults
            to :func:`compile_targets`.
        mode (str, optional): ``torch.compile`` mode, e.g.
            ``'reduce-overhead'`` (CUDA graphs). Defaults to None.
        dynamic (bool): Compile for dynamic shapes. Defaults to False.
        devices (Sequence[str]): Device types to compile on. Defaults to
            ``('cuda', )``.
    """

    priority = 'LOW'

    def __init__(self, targets: Optional[Sequence[str]] = None,
                 mode: Optional[str] = None, dynamic: bool = False,
                 devices: Sequence[str] = ('cuda', )) -> None:
        self.targets = None if targets is None else list(targets)
        self.mode = mode
        self.dynamic = dynamic
        self.devices = tuple(devices)
        self._graphs = False

    def before_train(self, runner) -> None:
        """Compile the targets (after weights are loaded or resumed)."""
        model = unwrap(runner.model)
        device = next(model.parameters()).device.type
        if device not in self.devices:
            runner.logger.info(f'CompileHook: not compiling on {device} '
                               f'(devices={self.devices})')
            return
        targets = self.targets or compile_targets(model)
        for name in targets:
            model.get_submodule(name).compile(mode=self.mode,
                                              dynamic=self.dynamic)
        self._graphs = self.mode == 'reduce-overhead'
        runner.logger.info(f'CompileHook: compiled {", ".join(targets)} '
                           f'(mode={self.mode}, dynamic={self.dynamic})')

    def _before_iter(self, runner, batch_idx: int, data_batch=None,
                     mode: str = 'train') -> None:
        """Tell CUDA graph trees that a step begins: both halves of a BBN
        pair replay the trunk's graph within one step, which torch cannot
        tell from the next step by itself."""
        if self._graphs:
            torch.compiler.cudagraph_mark_step_begin()


__all__ = ['CompileHook', 'compile_targets']
