"""LDAM: the label-distribution-aware margin loss (Cao et al. 2019)."""
import numpy as np
import torch
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_count_loss import ClassCountLoss
from .class_weights import ldam_margins


@MODELS.register_module()
class LDAMLoss(ClassCountLoss):
    """Cross-entropy with a class-dependent margin on the true class.

    ``L = CE(s (cos - m_y e_y), y)`` with ``m_i ∝ N_i ** (-1/4)`` scaled so
    the rarest class gets ``max_margin`` (Cao et al. 2019), ``cos`` the
    cosine logits of a normalised linear layer and ``s`` the scale. The
    logits it receives are :class:`NormLinearClsHead`'s ``s * cos``, so
    the margin is subtracted as ``s * m_y``; ``scale`` must equal the
    head's (the head checks it). LDAM-DRW adds
    :class:`DeferredReweightingHook`, which switches on the
    effective-number class weights (``beta = 0.9999``) at the switch
    epoch; the mean then divides by ``sum_n w_{y_n}`` as in Cao et al.'s
    code.

    Args:
        max_margin (float): Margin of the rarest class, in cosine units.
            Defaults to 0.5.
        scale (float): ``s`` of the head's logits. Defaults to 30.
        weighting (str): ``'none'`` (LDAM alone), ``'effective_number'``
            (for LDAM-DRW) or ``'inverse'``.
        beta (float): The effective-number parameter. Defaults to 0.9999.
        normalize (str): ``'weights'`` (default) or ``'batch'``.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
        loss_weight (float): Factor of the loss.
    """

    uses_counts = True

    def __init__(self,
                 max_margin: float = 0.5,
                 scale: float = 30.0,
                 weighting: str = 'none',
                 beta: float = 0.9999,
                 normalize: str = 'weights',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(weighting, beta, normalize, reduction, loss_weight)
        if not max_margin > 0:
            raise ValueError(
                f'LDAMLoss: max_margin={max_margin!r} is not positive')
        if not scale > 0:
            raise ValueError(f'LDAMLoss: scale={scale!r} is not positive')
        self.max_margin = float(max_margin)
        self.scale = float(scale)
        self.register_buffer('margins', None, persistent=False)

    def counts_changed(self, counts: np.ndarray) -> None:
        """Compute the margins ``m_i``."""
        self.margins = torch.from_numpy(ldam_margins(
            counts, self.max_margin)).float()

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        """CE of the logits with ``s m_y`` taken off the true class."""
        margin = self.count_tensor('margins', cls_score)[label] * self.scale
        shifted = cls_score - F.one_hot(
            label, cls_score.size(1)).to(cls_score) * margin[:, None]
        return F.cross_entropy(shifted, label, reduction='none')

    def extra_repr(self) -> str:
        return (f'max_margin={self.max_margin}, scale={self.scale}, ' +
                super().extra_repr())


__all__ = ['LDAMLoss']
