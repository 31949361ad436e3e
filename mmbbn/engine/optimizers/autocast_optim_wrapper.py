"""bfloat16 autocast for the forward pass, on any device, unscaled."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from mmbbn.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """:class:`OptimWrapper` whose forward runs under bfloat16 autocast,
    on the model's device (a GPU, or a CPU with bfloat16 support).

    bfloat16 has float32's exponent range, so no ``GradScaler`` (whose
    overflow check syncs the host every step; MMEngine's
    ``AmpOptimWrapper`` always scales and needs an accelerator). Weights,
    gradients and the optimizer stay float32.

    Args:
        dtype (str): Only ``'bfloat16'`` (use ``AmpOptimWrapper`` for
            float16). Defaults to 'bfloat16'.
        **kwargs: Arguments of :class:`OptimWrapper`.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        if dtype != 'bfloat16':
            raise ValueError(
                f'AutocastOptimWrapper: dtype={dtype!r}; only bfloat16 '
                "trains without loss scaling (use type='AmpOptimWrapper' "
                'for float16)')
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16

    @contextmanager
    def optim_context(self, model: nn.Module):
        """The parent's context, with autocast on the model's device."""
        param = next(model.parameters(), None)
        device = param.device.type if param is not None else 'cpu'
        with super().optim_context(model), torch.autocast(
                device_type=device, dtype=self.cast_dtype):
            yield
