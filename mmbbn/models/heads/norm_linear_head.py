"""A cosine classifier: normalised features times normalised weights."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.heads import ClsHead

from mmbbn.registry import MODELS


@MODELS.register_module()
class NormLinearClsHead(ClsHead):
    """Logits ``s cos(x, w_j)``: LDAM's normalised linear layer (no bias).

    The head owns the scale ``s`` (Cao et al. use 30), so its logits and
    test-time scores are the scaled ones; a loss with a ``scale`` of its
    own (:class:`LDAMLoss`, whose margins are in cosine units) must agree.
    The weight is ``fc.weight`` (C, d), as in :class:`LinearClsHead`; each
    class vector starts by default as a U(-1, 1) draw scaled to unit
    length, as in Cao et al.'s code.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature size.
        scale (float): ``s``. Defaults to 30.
        init_cfg (dict, optional): Overrides the initialisation.
        **kwargs: Other arguments of :class:`ClsHead` (``loss``, ...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 scale: float = 30.0,
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(init_cfg=init_cfg, **kwargs)
        if num_classes <= 0:
            raise ValueError(f'NormLinearClsHead: num_classes={num_classes} '
                             'is not positive')
        if not scale > 0:
            raise ValueError(f'NormLinearClsHead: scale={scale!r} is not '
                             'positive')
        loss_scale = getattr(self.loss_module, 'scale', None)
        if loss_scale is not None and float(loss_scale) != float(scale):
            raise ValueError(
                f'NormLinearClsHead: scale={scale} but the loss has '
                f'scale={loss_scale}; they must agree (the loss margins are '
                'in cosine units)')
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.scale = float(scale)
        self.fc = nn.Linear(in_channels, num_classes, bias=False)

    def init_weights(self) -> None:
        """Unit-length U(-1, 1) class vectors, unless ``init_cfg`` says."""
        if self.init_cfg is None and not self._is_init:
            with torch.no_grad():
                weight = self.fc.weight.uniform_(-1.0, 1.0)
                weight.div_(weight.norm(dim=1, keepdim=True).clamp_min(1e-12))
        super().init_weights()

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return feats[-1]

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """``s * normalize(x) @ normalize(W)^T``."""
        x = F.normalize(self.pre_logits(feats), dim=1)
        return self.scale * F.linear(x, F.normalize(self.fc.weight, dim=1))
