"""The base of every loss that depends on the training-class counts."""
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_weights import check_beta, check_weighting, class_weights

NORMALIZATIONS = ('batch', 'weights')


class ClassCountLoss(nn.Module):
    """A classification loss that knows the training-class counts.

    :class:`ClassCountsHook` sets the counts (:meth:`set_class_counts`)
    before training and testing; they are not in the state dict.
    :class:`DeferredReweightingHook` switches the class weights
    (:meth:`set_reweighting`). A subclass gives the per-sample loss
    (:meth:`sample_loss`, cross-entropy by default) and any per-class logit
    offsets (:meth:`class_offsets`); this class applies the weights
    ``w_{y_n}`` and the reduction, whose mean divides by ``sum_n w_{y_n}``
    (``normalize='weights'``, as ``F.cross_entropy(weight=...)`` in Cao et
    al.'s code) or by the batch size (``'batch'``, Cui et al.).

    Args:
        weighting (str): ``'none'``, ``'inverse'`` (RW) or
            ``'effective_number'`` (CB), see :func:`class_weights`.
        beta (float): The effective-number parameter, in (0, 1).
        normalize (str): ``'weights'`` or ``'batch'``.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
        loss_weight (float): Factor of the loss. Defaults to 1.
    """

    #: Whether the loss needs counts even without class weights.
    uses_counts = False
    #: Subclass arguments shown by ``repr``.
    repr_keys = ()

    def __init__(self,
                 weighting: str = 'none',
                 beta: float = 0.9999,
                 normalize: str = 'weights',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        name = type(self).__name__
        self.weighting = check_weighting(weighting, name)
        self.beta = check_beta(beta, name)
        if normalize not in NORMALIZATIONS:
            raise ValueError(f'{name}: normalize={normalize!r} is not one of '
                             f'{", ".join(NORMALIZATIONS)}')
        if reduction not in ('mean', 'sum', 'none'):
            raise ValueError(f"{name}: reduction={reduction!r} is not "
                             "'mean', 'sum' or 'none'")
        self.normalize = normalize
        self.reduction = reduction
        self.loss_weight = loss_weight
        self.reweighting = True
        for buffer in ('class_counts', 'class_weight', 'class_offset'):
            self.register_buffer(buffer, None, persistent=False)

    @property
    def uses_class_weights(self) -> bool:
        """Whether the loss weighs classes (so DRW can defer it)."""
        return self.weighting != 'none'

    @property
    def needs_class_counts(self) -> bool:
        """Whether :meth:`forward` needs :meth:`set_class_counts` first."""
        return self.uses_counts or self.uses_class_weights

    def set_class_counts(self, counts) -> None:
        """Set ``N_i`` of every class and everything derived from it."""
        counts = np.asarray(counts)
        if counts.ndim != 1 or counts.dtype.kind not in 'iu' or (
                counts < 0).any():
            raise ValueError(f'{type(self).__name__}: class counts must be '
                             'non-negative integers, one per class')
        counts = counts.astype(np.int64)
        self.class_counts = torch.from_numpy(counts)
        self.class_weight = torch.from_numpy(
            class_weights(counts, self.weighting, self.beta)).float()
        offsets = self.class_offsets(counts)
        if offsets is not None:
            self.class_offset = torch.from_numpy(offsets).float()

    def class_offsets(self, counts: np.ndarray) -> Optional[np.ndarray]:
        """The subclass's per-class logit offsets (``class_offset``)."""
        return None

    def set_reweighting(self, enabled: bool) -> None:
        """Apply the class weights ``w_{y_n}`` from now on, or not."""
        self.reweighting = bool(enabled)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        """The unweighted (N, ) loss of logits (N, C) and labels (N, )."""
        return F.cross_entropy(cls_score, label, reduction='none')

    def _check(self, cls_score: torch.Tensor, label: torch.Tensor) -> None:
        name = type(self).__name__
        if label.ndim != 1 or label.dtype.is_floating_point:
            raise ValueError(f'{name} takes hard class labels of shape (N,), '
                             f'got {tuple(label.shape)} {label.dtype}')
        if not self.needs_class_counts:
            return
        if self.class_counts is None:
            raise RuntimeError(
                f'{name}: the training-class counts are unset; add '
                "dict(type='ClassCountsHook') to the config's hooks (it "
                'reads them from the training set)')
        if len(self.class_counts) != cls_score.size(1):
            raise ValueError(
                f'{name}: {len(self.class_counts)} class counts for '
                f'{cls_score.size(1)} logits')

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                **kwargs) -> torch.Tensor:
        """The loss of logits (N, C) and labels (N, ), times the optional
        per-sample ``weight`` (N, ); ``avg_factor`` is the denominator of the
        ``'batch'`` mean (MMPretrain's heads pass N)."""
        reduction = reduction_override or self.reduction
        self._check(cls_score, label)
        loss = self.sample_loss(cls_score, label)
        total = None
        if self.uses_class_weights and self.reweighting:
            total = self.class_weight.to(loss)[label]
        if weight is not None:
            weight = weight.to(loss)
            total = weight if total is None else total * weight
        if total is not None:
            loss = loss * total
        if reduction == 'none':
            out = loss
        elif reduction == 'sum':
            out = loss.sum()
        elif self.normalize == 'weights' and total is not None:
            out = loss.sum() / total.sum().clamp_min(1e-12)
        else:
            out = loss.sum() / (avg_factor if avg_factor is not None else
                                max(loss.numel(), 1))
        return self.loss_weight * out

    def extra_repr(self) -> str:
        keys = self.repr_keys + ('weighting', 'beta', 'normalize')
        return ', '.join(f'{k}={getattr(self, k)!r}' for k in keys)


@MODELS.register_module()
class ReweightedCrossEntropyLoss(ClassCountLoss):
    """``w_y CE(z, y)``: RW (``weighting='inverse'``), CB
    (``'effective_number'``, the default), CE-DRW with
    :class:`DeferredReweightingHook`; arguments of :class:`ClassCountLoss`.
    """

    def __init__(self, weighting: str = 'effective_number', **kwargs) -> None:
        super().__init__(weighting=weighting, **kwargs)
