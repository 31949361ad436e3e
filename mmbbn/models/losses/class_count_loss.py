"""The base of every loss that depends on the training-class counts."""
from typing import Optional

import numpy as np
import torch
import torch.nn as nn

from .class_weights import check_beta, check_weighting, class_weights

NORMALIZATIONS = ('batch', 'weights')


class ClassCountLoss(nn.Module):
    """A classification loss that knows the training-class counts.

    The counts are never typed into a config: :class:`ClassCountsHook`
    reads them from the training set of the same config and calls
    :meth:`set_class_counts` before training (and before testing); they
    are not part of the state dict, so a resumed run derives them again.

    Subclasses give the loss of every sample (:meth:`sample_loss`); this
    class applies the class weights ``w_{y_n}`` (``weighting``) and the
    reduction. With class weights, ``normalize`` picks the denominator of
    the mean: ``'weights'`` divides by ``sum_n w_{y_n}`` (PyTorch's
    ``F.cross_entropy(weight=...)``, used by Cao et al.'s CE-DRW and
    LDAM-DRW code); ``'batch'`` divides by the batch size (Cui et al.'s
    class-balanced losses). Without weights both are the plain mean.

    :class:`DeferredReweightingHook` switches the weights off before its
    switch epoch and on from it (:meth:`set_reweighting`).

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
        self.register_buffer('class_counts', None, persistent=False)
        self.register_buffer('class_weight', None, persistent=False)

    @property
    def uses_class_weights(self) -> bool:
        """Whether the loss weighs classes (so DRW can defer it)."""
        return self.weighting != 'none'

    @property
    def needs_class_counts(self) -> bool:
        """Whether :meth:`forward` needs :meth:`set_class_counts` first."""
        return self.uses_counts or self.uses_class_weights

    def set_class_counts(self, counts) -> None:
        """Set the training images per class and everything derived.

        Args:
            counts (array-like): ``N_i`` of every class.
        """
        counts = np.asarray(counts)
        if counts.ndim != 1 or counts.dtype.kind not in 'iu' or (
                counts < 0).any():
            raise ValueError(f'{type(self).__name__}: class counts must be '
                             'non-negative integers, one per class')
        self.class_counts = torch.from_numpy(counts.astype(np.int64))
        self.class_weight = torch.from_numpy(
            class_weights(counts, self.weighting, self.beta)).float()
        self.counts_changed(counts.astype(np.int64))

    def counts_changed(self, counts: np.ndarray) -> None:
        """Derive the subclass's count-dependent tensors.

        Args:
            counts (np.ndarray): ``N_i`` of every class.
        """

    def set_reweighting(self, enabled: bool) -> None:
        """Switch the class weights on or off (deferred re-weighting).

        Args:
            enabled (bool): Apply ``w_{y_n}`` from now on.
        """
        self.reweighting = bool(enabled)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        """The unweighted loss of every sample.

        Args:
            cls_score (Tensor): Logits of shape (N, C).
            label (Tensor): Classes of shape (N, ).

        Returns:
            Tensor: Losses of shape (N, ).
        """
        raise NotImplementedError

    def count_tensor(self, name: str, like: torch.Tensor) -> torch.Tensor:
        """A count-derived buffer on the device and dtype of ``like``."""
        return getattr(self, name).to(like)

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
        """The (weighted, reduced) loss of a batch.

        Args:
            cls_score (Tensor): Logits of shape (N, C).
            label (Tensor): Classes of shape (N, ).
            weight (Tensor, optional): Per-sample weights of shape (N, ).
            avg_factor (float, optional): Denominator of the mean with
                ``normalize='batch'`` (MMPretrain's heads pass N).
            reduction_override (str, optional): Overrides ``reduction``.

        Returns:
            Tensor: The loss.
        """
        reduction = reduction_override or self.reduction
        self._check(cls_score, label)
        loss = self.sample_loss(cls_score, label)
        total = None
        if self.uses_class_weights and self.reweighting:
            total = self.count_tensor('class_weight', loss)[label]
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
        return (f'weighting={self.weighting!r}, beta={self.beta}, '
                f'normalize={self.normalize!r}')


__all__ = ['ClassCountLoss', 'NORMALIZATIONS']
