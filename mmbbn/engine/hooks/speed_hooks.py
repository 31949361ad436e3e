"""Hooks that make a run faster, its results the same up to float order."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.hooks import Hook, LoggerHook, RuntimeInfoHook

from mmbbn.registry import HOOKS
from .class_counts_hook import unwrap


@HOOKS.register_module()
class BufferedRuntimeInfoHook(RuntimeInfoHook):
    """:class:`RuntimeInfoHook` that reads the step's outputs at log points.

    ``RuntimeInfoHook`` reads every iteration's outputs with ``.item()`` (a
    host-device synchronisation per step). This hook keeps them on the
    device and copies them to the host at once where they are read: at
    ``LoggerHook``'s log points, before a checkpoint, before validation and
    after training; the message hub then holds, in order, what
    ``RuntimeInfoHook`` would have put there. Use it as
    ``default_hooks.runtime_info=dict(type='BufferedRuntimeInfoHook')``.

    Args:
        interval (int, optional): Read the outputs every this many
            iterations. Defaults to the runner's ``LoggerHook`` interval.
    """

    def __init__(self, interval: Optional[int] = None) -> None:
        self.interval = interval
        self._pending: List[Dict[str, object]] = []

    def before_train(self, runner) -> None:
        """Take the logger's interval unless one was given."""
        super().before_train(runner)
        if self.interval is None:
            loggers = [h for h in runner.hooks if isinstance(h, LoggerHook)]
            self.interval = loggers[0].interval if loggers else 1

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        """Keep the outputs; read them where the logger logs."""
        if outputs:
            self._pending.append({
                k: v.detach() if torch.is_tensor(v) else v
                for k, v in outputs.items()
            })
        if self.every_n_inner_iters(batch_idx, self.interval) or \
                self.end_of_epoch(runner.train_dataloader, batch_idx):
            self.flush(runner)

    def flush(self, runner) -> bool:
        """Push the kept outputs to the message hub; whether there were any."""
        if not self._pending:
            return False
        pending, self._pending = self._pending, []
        tensors = [v.reshape(()).double() for out in pending
                   for v in out.values() if torch.is_tensor(v)]
        # One copy for all (float64 holds float32 and int32 exactly).
        host = iter(torch.stack(tensors).tolist() if tensors else [])
        for out in pending:
            for key, value in out.items():
                runner.message_hub.update_scalar(
                    f'train/{key}',
                    next(host) if torch.is_tensor(value) else value)
        return True

    def after_train_epoch(self, runner) -> None:
        """Nothing of an epoch stays on the device past its end."""
        self.flush(runner)

    def before_val(self, runner) -> None:
        """Read what is kept before validation starts."""
        self.flush(runner)
        super().before_val(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """A checkpoint holds every output up to its iteration."""
        if self.flush(runner):
            checkpoint['message_hub'] = runner.message_hub.state_dict()

    def after_train(self, runner) -> None:
        """Read the last outputs."""
        self.flush(runner)
        super().after_train(runner)


def to_channels_last(model: nn.Module) -> nn.Module:
    """Convert the 4-d weights of ``model`` in place, and (a forward
    pre-hook on its ``backbone``, else itself) each input, to NHWC."""
    model.to(memory_format=torch.channels_last)
    target = getattr(model, 'backbone', model)
    if not getattr(target, '_mmbbn_channels_last', False):

        def convert(module, args):
            return tuple(
                a.contiguous(memory_format=torch.channels_last)
                if torch.is_tensor(a) and a.dim() == 4 else a for a in args)

        target.register_forward_pre_hook(convert)
        target._mmbbn_channels_last = True
    return model


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Runs training, validation and testing in channels-last format
    (faster on tensor cores and oneDNN; same results up to float
    reordering; see the ``*_cl`` variants of ``step_benchmark.py``).

    ``custom_hooks=[dict(type='ChannelsLastHook')]`` or ``--channels-last``
    of ``tools/train.py`` / ``tools/test.py``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        """Convert the model once, before anything runs."""
        to_channels_last(unwrap(runner.model))
        weights = sum(1 for p in runner.model.parameters() if p.dim() == 4)
        runner.logger.info(
            f'ChannelsLastHook: {weights} convolution weights and every '
            'input batch in channels-last (NHWC)')


def compile_targets(model: nn.Module) -> List[str]:
    """``backbone`` and each child of ``neck`` with parameters (BBN's
    branch blocks); the head, loss and data preprocessor stay eager (a few
    kernels; BBN's head mixes with alpha, a float that would recompile)."""
    names = ['backbone'] if hasattr(model, 'backbone') else []
    neck = getattr(model, 'neck', None)
    if neck is not None:
        names += [f'neck.{n}' for n, m in neck.named_children()
                  if any(True for _ in m.parameters())]
    return names


@HOOKS.register_module()
class CompileHook(Hook):
    """Compiles parts of the model in place before training, on the given
    device types only (one config trains compiled on a GPU and eagerly
    elsewhere); ``nn.Module.compile`` keeps the state-dict keys.

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
        """Mark a step's begin for CUDA graph trees: both halves of a BBN
        pair replay the trunk's graph within one step."""
        if self._graphs:
            torch.compiler.cudagraph_mark_step_begin()
