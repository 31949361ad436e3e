"""Cross-entropy of logits shifted by amounts derived from class counts."""
import numpy as np
import torch
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_count_loss import (ClassCountLoss, check_number, ldam_margins,
                               log_class_counts, log_class_prior)


@MODELS.register_module()
class LogitAdjustedLoss(ClassCountLoss):
    """Menon et al. (ICLR 2021): ``CE(z + tau log pi, y)``, ``pi`` the
    training label distribution; predictions need no change.

    Args:
        tau (float): Strength of the adjustment. Defaults to 1.0.
        **kwargs: Arguments of :class:`ClassCountLoss`.
    """

    uses_counts = True
    repr_keys = ('tau', )

    def __init__(self, tau: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tau = float(tau)

    def class_offsets(self, counts: np.ndarray) -> np.ndarray:
        """``tau log pi_i``."""
        return self.tau * log_class_prior(counts)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        return super().sample_loss(cls_score + self.class_offset.to(cls_score),
                                   label)


@MODELS.register_module()
class BalancedSoftmaxLoss(LogitAdjustedLoss):
    """Ren et al. (NeurIPS 2020): ``CE(z + log N, y)``, i.e.
    :class:`LogitAdjustedLoss` at ``tau = 1`` (``log N_i`` and ``log pi_i``
    differ by a constant, which softmax ignores); arguments of
    :class:`ClassCountLoss`."""

    repr_keys = ()

    def __init__(self, **kwargs) -> None:
        super().__init__(1.0, **kwargs)

    def class_offsets(self, counts: np.ndarray) -> np.ndarray:
        """``log N_i``."""
        return log_class_counts(counts)


@MODELS.register_module()
class LDAMLoss(ClassCountLoss):
    """LDAM (Cao et al. 2019): ``CE(s (cos - m_y e_y), y)``.

    The logits are :class:`NormLinearClsHead`'s ``s cos`` (the head checks
    that ``scale`` agrees), so the margin comes off as ``s m_y``. LDAM-DRW
    adds :class:`DeferredReweightingHook` and
    ``weighting='effective_number'``.

    Args:
        max_margin (float): Margin of the rarest class, in cosine units.
            Defaults to 0.5.
        scale (float): ``s`` of the head's logits. Defaults to 30.
        **kwargs: Arguments of :class:`ClassCountLoss`.
    """

    uses_counts = True
    repr_keys = ('max_margin', 'scale')

    def __init__(self, max_margin: float = 0.5, scale: float = 30.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_margin = check_number('LDAMLoss', 'max_margin', max_margin,
                                       positive=True)
        self.scale = check_number('LDAMLoss', 'scale', scale, positive=True)

    def class_offsets(self, counts: np.ndarray) -> np.ndarray:
        """The margins ``m_i``."""
        return ldam_margins(counts, self.max_margin)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        margin = self.class_offset.to(cls_score)[label] * self.scale
        shifted = cls_score - F.one_hot(
            label, cls_score.size(1)).to(cls_score) * margin[:, None]
        return super().sample_loss(shifted, label)
