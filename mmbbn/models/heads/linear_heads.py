"""The baselines' linear heads: cosine, and adjusted post hoc."""
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.heads import ClsHead, LinearClsHead
from mmpretrain.structures import DataSample

from mmbbn.registry import MODELS
from ..losses.class_count_loss import check_number, log_class_prior


@MODELS.register_module()
class NormLinearClsHead(ClsHead):
    """Logits ``s cos(x, w_j)``: LDAM's normalised linear layer (no bias).

    The head owns the scale ``s``, so its logits and test scores are the
    scaled ones; a loss with a ``scale`` (:class:`LDAMLoss`, its margins in
    cosine units) must agree. The weight is ``fc.weight`` (C, d); each class
    vector starts by default as a U(-1, 1) draw of unit length (Cao et al.).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature size.
        scale (float): ``s``. Defaults to 30 (Cao et al.'s).
        init_cfg (dict, optional): Overrides the initialisation.
        **kwargs: Other arguments of :class:`ClsHead` (``loss``, ...).
    """

    def __init__(self, num_classes: int, in_channels: int,
                 scale: float = 30.0, init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(init_cfg=init_cfg, **kwargs)
        name = 'NormLinearClsHead'
        check_number(name, 'num_classes', num_classes, positive=True)
        self.scale = check_number(name, 'scale', scale, positive=True)
        loss_scale = getattr(self.loss_module, 'scale', None)
        if loss_scale is not None and float(loss_scale) != float(scale):
            raise ValueError(
                f'NormLinearClsHead: scale={scale} but the loss has '
                f'scale={loss_scale}; they must agree (the loss margins are '
                'in cosine units)')
        self.num_classes = num_classes
        self.in_channels = in_channels
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


@MODELS.register_module()
class PostHocLinearClsHead(LinearClsHead):
    """:class:`LinearClsHead` whose ``predict`` corrects the logits.

    ``weight_norm_tau > 0``: tau-normalisation (Kang et al. 2020), class
    vectors ``w_j / ||w_j|| ** tau``, without bias unless ``keep_bias``.
    ``logit_adjust_tau > 0``: post-hoc logit adjustment (Menon et al.
    2021), ``z_j - tau log pi_j``, the prior ``pi`` from
    :class:`ClassCountsHook`, kept in the state dict (``class_counts``).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature size.
        logit_adjust_tau (float): >= 0. Defaults to 0 (off).
        weight_norm_tau (float): >= 0. Defaults to 0 (off).
        keep_bias (bool): Keep the bias under tau-normalisation.
        **kwargs: Other arguments of :class:`LinearClsHead`.
    """

    def __init__(self, num_classes: int, in_channels: int,
                 logit_adjust_tau: float = 0.0, weight_norm_tau: float = 0.0,
                 keep_bias: bool = False, **kwargs) -> None:
        super().__init__(num_classes=num_classes, in_channels=in_channels,
                         **kwargs)
        name = 'PostHocLinearClsHead'
        self.logit_adjust_tau = check_number(name, 'logit_adjust_tau',
                                             logit_adjust_tau)
        self.weight_norm_tau = check_number(name, 'weight_norm_tau',
                                            weight_norm_tau)
        self.keep_bias = keep_bias
        self.register_buffer('class_counts',
                             torch.zeros(num_classes, dtype=torch.long))

    def set_class_counts(self, counts) -> None:
        """Set the training images per class (the prior ``pi``)."""
        counts = np.asarray(counts)
        if counts.shape != (self.num_classes, ) or (counts < 0).any():
            raise ValueError(
                f'PostHocLinearClsHead: got {counts.shape} class counts for '
                f'{self.num_classes} classes')
        self.class_counts.copy_(torch.from_numpy(counts.astype(np.int64)))

    def adjusted_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Test-time logits (N, C) of pooled features ``x`` (N, d)."""
        if self.weight_norm_tau:
            weight = self.fc.weight
            norm = weight.norm(dim=1, keepdim=True).clamp_min(1e-12)
            logits = F.linear(x, weight / norm.pow(self.weight_norm_tau),
                              self.fc.bias if self.keep_bias else None)
        else:
            logits = self.fc(x)
        if self.logit_adjust_tau:
            counts = self.class_counts.cpu().numpy()
            if not counts.any():
                raise RuntimeError(
                    'PostHocLinearClsHead: the training-class counts are '
                    "unset; add dict(type='ClassCountsHook') to the "
                    "config's hooks (it reads them from the training set)")
            prior = torch.from_numpy(log_class_prior(counts)).to(logits)
            logits = logits - self.logit_adjust_tau * prior
        return logits

    def predict(self, feats: Tuple[torch.Tensor],
                data_samples: Optional[list] = None) -> List[DataSample]:
        """Predictions from the adjusted logits."""
        return self._get_predictions(
            self.adjusted_logits(self.pre_logits(feats)), data_samples)
