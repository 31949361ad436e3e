"""Losses that shift the logits by the training label distribution."""
import numpy as np
import torch
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_count_loss import ClassCountLoss
from .class_weights import log_class_counts, log_class_prior


@MODELS.register_module()
class LogitAdjustedLoss(ClassCountLoss):
    """Menon et al. (ICLR 2021): ``CE(z + tau log pi, y)``.

    ``pi_i = N_i / N`` is the training label distribution. The model's own
    logits ``z`` then estimate the balanced posterior, so predictions need
    no change at test time. A class without training images counts as one
    image (finite offsets).

    Args:
        tau (float): Strength of the adjustment. Defaults to 1.0.
        weighting (str): Class weights on top (default ``'none'``).
        beta (float): The effective-number parameter.
        normalize (str): ``'weights'`` (default) or ``'batch'``.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
        loss_weight (float): Factor of the loss.
    """

    uses_counts = True

    def __init__(self,
                 tau: float = 1.0,
                 weighting: str = 'none',
                 beta: float = 0.9999,
                 normalize: str = 'weights',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(weighting, beta, normalize, reduction, loss_weight)
        self.tau = float(tau)
        self.register_buffer('logit_offset', None, persistent=False)

    def offsets(self, counts: np.ndarray) -> np.ndarray:
        """The per-class logit offsets added in training.

        Args:
            counts (np.ndarray): ``N_i``.

        Returns:
            np.ndarray: ``tau log pi_i``.
        """
        return self.tau * log_class_prior(counts)

    def counts_changed(self, counts: np.ndarray) -> None:
        """Compute the logit offsets."""
        self.logit_offset = torch.from_numpy(self.offsets(counts)).float()

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        """CE of the shifted logits."""
        shifted = cls_score + self.count_tensor('logit_offset', cls_score)
        return F.cross_entropy(shifted, label, reduction='none')

    def extra_repr(self) -> str:
        return f'tau={self.tau}, ' + super().extra_repr()


@MODELS.register_module()
class BalancedSoftmaxLoss(LogitAdjustedLoss):
    """Ren et al. (NeurIPS 2020): ``CE(z + log N, y)``.

    The softmax of ``z + log N_i`` is ``N_i e^{z_i} / sum_j N_j e^{z_j}``.
    It equals :class:`LogitAdjustedLoss` with ``tau = 1`` (``log N_i`` and
    ``log pi_i`` differ by a constant, which softmax ignores).

    Args:
        weighting (str): Class weights on top (default ``'none'``).
        beta (float): The effective-number parameter.
        normalize (str): ``'weights'`` (default) or ``'batch'``.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
        loss_weight (float): Factor of the loss.
    """

    def __init__(self,
                 weighting: str = 'none',
                 beta: float = 0.9999,
                 normalize: str = 'weights',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(1.0, weighting, beta, normalize, reduction,
                         loss_weight)

    def offsets(self, counts: np.ndarray) -> np.ndarray:
        """``log N_i``."""
        return log_class_counts(counts)

    def extra_repr(self) -> str:
        return ClassCountLoss.extra_repr(self)


__all__ = ['BalancedSoftmaxLoss', 'LogitAdjustedLoss']
