"""Class-count quantities, the loss template using them, re-weighted losses."""
from numbers import Real
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmbbn.registry import MODELS

# How a class with N_i > 0 training images is weighted.
WEIGHTINGS = ('none', 'inverse', 'effective_number')
NORMALIZATIONS = ('batch', 'weights')


def check_choice(owner: str, name: str, value: str,
                 choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; ``owner`` names who asks."""
    if value not in choices:
        raise ValueError(f'{owner}: {name}={value!r} is not one of '
                         f'{", ".join(choices)}')
    return value


def check_number(owner: str, name: str, value: float,
                 positive: bool = False) -> float:
    """``value`` as a float if it is >= 0 (> 0 if ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, Real) or (
            value <= 0 if positive else value < 0):
        raise ValueError(f'{owner}: {name}={value!r} is not '
                         f'{"positive" if positive else ">= 0"}')
    return float(value)


def check_beta(beta: float, owner: str) -> float:
    """``beta`` as a float if it lies in (0, 1); ``owner`` names who asks."""
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not (
            0.0 < beta < 1.0):
        raise ValueError(f'{owner}: beta={beta!r} is not in (0, 1)')
    return float(beta)


def class_weights(counts, weighting: str, beta: float = 0.9999) -> np.ndarray:
    """Class weights of re-weighting methods, float64 (C, ).

    ``'none'``: 1; ``'inverse'`` (RW): ``1 / N_i``; ``'effective_number'``
    (CB, Cui et al. 2019): ``(1 - beta) / (1 - beta ** N_i)``. The weights
    of the classes with images sum to their number (as in Cui et al.); a
    class without training images gets 0 (it is never a target).
    """
    check_choice('class_weights', 'weighting', weighting, WEIGHTINGS)
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    if not present.any():
        raise ValueError('class_weights: no class has any training image')
    weights = np.zeros_like(counts)
    n = counts[present]
    if weighting == 'none':
        weights[present] = 1.0
    elif weighting == 'inverse':
        weights[present] = 1.0 / n
    else:
        beta = check_beta(beta, 'class_weights')
        # -expm1(n log beta) = 1 - beta ** n, exact for beta near 1.
        weights[present] = (1.0 - beta) / -np.expm1(n * np.log(beta))
    return weights * (present.sum() / weights.sum())


def log_class_counts(counts) -> np.ndarray:
    """float64 ``log max(N_i, 1)``: a class without training images counts
    as one image, so the logit offsets and margins stay finite."""
    return np.log(np.maximum(np.asarray(counts, dtype=np.float64), 1.0))


def log_class_prior(counts) -> np.ndarray:
    """``log pi_i`` of the training label distribution ``pi_i = N_i / N``."""
    log_n = log_class_counts(counts)
    return log_n - np.log(np.exp(log_n).sum())


def ldam_margins(counts, max_margin: float) -> np.ndarray:
    """LDAM's margins (Cao et al. 2019), ``m_i ∝ N_i ** (-1/4)``, the
    largest (the rarest class's) ``max_margin``."""
    raw = np.exp(-0.25 * log_class_counts(counts))
    return raw * (max_margin / raw.max())


class ClassCountLoss(nn.Module):
    """A classification loss that knows the training-class counts.

    :class:`ClassCountsHook` sets them (:meth:`set_class_counts`, not in
    the state dict), :class:`DeferredReweightingHook` switches the class
    weights (:meth:`set_reweighting`). Subclasses give the per-sample loss
    (:meth:`sample_loss`) and logit offsets (:meth:`class_offsets`); the
    mean divides by ``sum_n w_{y_n}`` (``normalize='weights'``, Cao et
    al.) or by the batch size (``'batch'``, Cui et al.).

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

    def __init__(self, weighting: str = 'none', beta: float = 0.9999,
                 normalize: str = 'weights', reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        name = type(self).__name__
        self.weighting = check_choice(name, 'weighting', weighting,
                                      WEIGHTINGS)
        self.beta = check_beta(beta, name)
        self.normalize = check_choice(name, 'normalize', normalize,
                                      NORMALIZATIONS)
        self.reduction = check_choice(name, 'reduction', reduction,
                                      ('mean', 'sum', 'none'))
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

    def forward(self, cls_score: torch.Tensor, label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                **kwargs) -> torch.Tensor:
        """The loss of logits (N, C) and labels (N, ), times the optional
        per-sample ``weight`` (N, ); ``avg_factor`` is the denominator of the
        ``'batch'`` mean (MMPretrain's heads pass N)."""
        name = type(self).__name__
        if label.ndim != 1 or label.dtype.is_floating_point:
            raise ValueError(f'{name} takes hard class labels of shape (N,), '
                             f'got {tuple(label.shape)} {label.dtype}')
        counts = self.class_counts
        if self.needs_class_counts and counts is None:
            raise RuntimeError(
                f'{name}: the training-class counts are unset; add '
                "dict(type='ClassCountsHook') to the config's hooks (it "
                'reads them from the training set)')
        if self.needs_class_counts and len(counts) != cls_score.size(1):
            raise ValueError(
                f'{name}: {len(counts)} class counts for '
                f'{cls_score.size(1)} logits')
        reduction = reduction_override or self.reduction
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


def sigmoid_focal(cls_score: torch.Tensor, label: torch.Tensor,
                  gamma: float) -> torch.Tensor:
    """``sum_c -(1 - p_c) ** gamma log p_c`` per sample, ``p_c`` the
    one-vs-all sigmoid probability of the right answer, in log space."""
    target = F.one_hot(label, cls_score.size(1)).bool()
    signed = torch.where(target, cls_score, -cls_score)
    loss = -F.logsigmoid(signed)
    if gamma:
        loss = loss * torch.exp(gamma * F.logsigmoid(-signed))
    return loss.sum(dim=1)


def softmax_focal(cls_score: torch.Tensor, label: torch.Tensor,
                  gamma: float) -> torch.Tensor:
    """``-(1 - p_y) ** gamma log p_y`` per sample, ``p = softmax(z)``."""
    log_p = F.log_softmax(cls_score, dim=1).gather(
        1, label[:, None]).squeeze(1)
    loss = -log_p
    if gamma:
        loss = loss * (-torch.expm1(log_p)).clamp_min(0).pow(gamma)
    return loss


@MODELS.register_module()
class ReweightedFocalLoss(ClassCountLoss):
    """Focal loss with class weights, by default Cui et al.'s CB-Focal
    (CVPR 2019): sigmoid focal terms weighted by the true class, divided by
    the batch size; ``use_sigmoid=False`` is Cao et al.'s softmax form. A
    sigmoid loss trains best with Cui et al.'s bias start (head
    ``init_cfg=dict(type='Normal', layer='Linear', std=0.01,
    bias_prob=0.1)``).

    Args:
        gamma (float): Focusing parameter, >= 0. Defaults to 1.0 (Cui et
            al.'s CIFAR script).
        use_sigmoid (bool): Sigmoid or softmax focal loss. Defaults to True.
        weighting (str): Defaults to ``'effective_number'``.
        normalize (str): Defaults to ``'batch'``.
        **kwargs: Arguments of :class:`ClassCountLoss`.
    """

    repr_keys = ('gamma', 'use_sigmoid')

    def __init__(self, gamma: float = 1.0, use_sigmoid: bool = True,
                 weighting: str = 'effective_number',
                 normalize: str = 'batch', **kwargs) -> None:
        super().__init__(weighting=weighting, normalize=normalize, **kwargs)
        self.gamma = check_number('ReweightedFocalLoss', 'gamma', gamma)
        self.use_sigmoid = bool(use_sigmoid)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        focal = sigmoid_focal if self.use_sigmoid else softmax_focal
        return focal(cls_score, label, self.gamma)
