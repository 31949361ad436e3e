"""Channels-last memory format for convolutional models, from a config."""
import torch
from mmengine.hooks import Hook

from mmbbn.registry import HOOKS
from .class_counts_hook import unwrap


def to_channels_last(model: torch.nn.Module) -> torch.nn.Module:
    """Store the 4-d weights of ``model`` (a classifier with a
    ``backbone``, or a backbone) and its inputs as channels-last (NHWC).

    Weights are converted once, in place; a forward pre-hook on the
    backbone converts each input batch. Tensor cores and oneDNN
    convolutions run fastest on NHWC.
    """
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
    """Runs training, validation and testing in channels-last format.

    ``custom_hooks=[dict(type='ChannelsLastHook')]`` or ``--channels-last``
    of ``tools/train.py`` / ``tools/test.py``. Results are the same up to
    floating-point reordering; for the speed, compare the ``*_cl`` variants
    of ``tools/benchmarks/step_benchmark.py``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        """Convert the model once, before anything runs."""
        to_channels_last(unwrap(runner.model))
        weights = sum(1 for p in runner.model.parameters() if p.dim() == 4)
        runner.logger.info(
            f'ChannelsLastHook: {weights} convolution weights and every '
            'input batch in channels-last (NHWC)')


__all__ = ['ChannelsLastHook', 'to_channels_last']
