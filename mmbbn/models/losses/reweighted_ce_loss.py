"""Cross-entropy with class weights: RW, CB and (with DRW) CE-DRW."""
import torch
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_count_loss import ClassCountLoss


@MODELS.register_module()
class ReweightedCrossEntropyLoss(ClassCountLoss):
    """Softmax cross-entropy weighted by class: ``w_{y} CE(z, y)``.

    ``weighting='inverse'`` is re-weighting (RW, ``w_i ∝ 1 / N_i``);
    ``'effective_number'`` is Cui et al.'s class-balanced weighting
    (``w_i ∝ (1 - beta) / (1 - beta ** N_i)``); both are normalised to
    mean 1 over the classes (sum ``C``). With :class:`DeferredReweightingHook`
    the weights apply only from the switch epoch (CE-DRW: effective number,
    ``beta = 0.9999``, as in Cao et al.'s LDAM-DRW code).

    The mean divides by ``sum_n w_{y_n}`` by default, as PyTorch's
    ``F.cross_entropy(weight=...)`` does in Cao et al.'s code; pass
    ``normalize='batch'`` to divide by the batch size instead.

    Args:
        weighting (str): ``'inverse'``, ``'effective_number'`` (default) or
            ``'none'``.
        beta (float): The effective-number parameter. Defaults to 0.9999.
        normalize (str): ``'weights'`` (default) or ``'batch'``.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
        loss_weight (float): Factor of the loss.
    """

    def __init__(self,
                 weighting: str = 'effective_number',
                 beta: float = 0.9999,
                 normalize: str = 'weights',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(weighting, beta, normalize, reduction, loss_weight)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        """``-log softmax(z)_y`` of every sample."""
        return F.cross_entropy(cls_score, label, reduction='none')


__all__ = ['ReweightedCrossEntropyLoss']
