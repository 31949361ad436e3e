"""Channels-last memory format for convolutional models, from a config."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmbbn.registry import HOOKS


def to_channels_last(model: torch.nn.Module) -> torch.nn.Module:
    """Store 4-d weights and inputs of ``model`` as channels-last (NHWC).

    Weights are converted once; a forward pre-hook on the backbone converts
    each input batch (a view or a copy, the values are unchanged). Tensor
    cores and oneDNN convolutions run fastest on NHWC, notably with mixed
    precision on GPUs.

    Args:
        model (nn.Module): A model with a ``backbone`` (any
            MMPretrain classifier), or the backbone itself.

    Returns:
        nn.Module: ``model``, changed in place.
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

    Add ``custom_hooks=[dict(type='ChannelsLastHook')]`` or pass
    ``--channels-last`` to ``tools/train.py`` / ``tools/test.py``. Results
    are the same up to floating-point reordering; speed depends on the
    device: compare the ``*_cl`` variants of
    ``tools/benchmarks/step_benchmark.py``.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def _convert(runner) -> None:
        model = runner.model
        to_channels_last(model.module if is_model_wrapper(model) else model)

    def before_run(self, runner) -> None:
        """Convert the model once, before anything runs."""
        self._convert(runner)
        weights = sum(1 for p in runner.model.parameters() if p.dim() == 4)
        runner.logger.info(
            f'ChannelsLastHook: {weights} convolution weights and every '
            'input batch in channels-last (NHWC)')


__all__ = ['ChannelsLastHook', 'to_channels_last']
