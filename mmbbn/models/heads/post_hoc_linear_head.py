"""A linear classifier whose test-time logits are adjusted post hoc."""
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.structures import DataSample

from mmbbn.registry import MODELS
from ..losses.class_weights import log_class_prior


@MODELS.register_module()
class PostHocLinearClsHead(LinearClsHead):
    """:class:`LinearClsHead` whose ``predict`` corrects the logits.

    ``weight_norm_tau > 0``: tau-normalisation (Kang et al. 2020), class
    vectors ``w_j / ||w_j|| ** tau``, the bias dropped as in their code
    unless ``keep_bias``. ``logit_adjust_tau > 0``: post-hoc logit
    adjustment (Menon et al. 2021), ``z_j - tau log pi_j``. The prior
    ``pi`` comes from :class:`ClassCountsHook` and is kept in the state
    dict (buffer ``class_counts``), so a checkpoint predicts the same
    outside a runner.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature size.
        logit_adjust_tau (float): >= 0. Defaults to 0 (off).
        weight_norm_tau (float): >= 0. Defaults to 0 (off).
        keep_bias (bool): Keep the bias under tau-normalisation.
        **kwargs: Other arguments of :class:`LinearClsHead`.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 logit_adjust_tau: float = 0.0,
                 weight_norm_tau: float = 0.0,
                 keep_bias: bool = False,
                 **kwargs) -> None:
        super().__init__(num_classes=num_classes, in_channels=in_channels,
                         **kwargs)
        for name, value in (('logit_adjust_tau', logit_adjust_tau),
                            ('weight_norm_tau', weight_norm_tau)):
            if isinstance(value, bool) or not isinstance(
                    value, (int, float)) or value < 0:
                raise ValueError(
                    f'PostHocLinearClsHead: {name}={value!r} is not >= 0')
        self.logit_adjust_tau = float(logit_adjust_tau)
        self.weight_norm_tau = float(weight_norm_tau)
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

    def predict(
        self,
        feats: Tuple[torch.Tensor],
        data_samples: Optional[List[Optional[DataSample]]] = None
    ) -> List[DataSample]:
        """Predictions from the adjusted logits."""
        logits = self.adjusted_logits(self.pre_logits(feats))
        return self._get_predictions(logits, data_samples)
