"""Focal loss, sigmoid or softmax, with class weights (CB-Focal)."""
import torch
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_count_loss import ClassCountLoss


def sigmoid_focal(cls_score: torch.Tensor, label: torch.Tensor,
                  gamma: float) -> torch.Tensor:
    """Sum over classes of the binary focal loss, one value per sample.

    ``sum_c -(1 - p_c) ** gamma log p_c`` with ``p_c = sigmoid(z_c)`` for
    the true class and ``1 - sigmoid(z_c)`` for the others (one-vs-all),
    computed in log space.

    Args:
        cls_score (Tensor): Logits (N, C).
        label (Tensor): Classes (N, ).
        gamma (float): Focusing parameter, >= 0.

    Returns:
        Tensor: Losses of shape (N, ).
    """
    target = F.one_hot(label, cls_score.size(1)).bool()
    signed = torch.where(target, cls_score, -cls_score)
    log_p = F.logsigmoid(signed)
    loss = -log_p
    if gamma:
        loss = loss * torch.exp(gamma * F.logsigmoid(-signed))
    return loss.sum(dim=1)


def softmax_focal(cls_score: torch.Tensor, label: torch.Tensor,
                  gamma: float) -> torch.Tensor:
    """``-(1 - p_y) ** gamma log p_y`` with ``p = softmax(z)``.

    Args:
        cls_score (Tensor): Logits (N, C).
        label (Tensor): Classes (N, ).
        gamma (float): Focusing parameter, >= 0.

    Returns:
        Tensor: Losses of shape (N, ).
    """
    log_p = F.log_softmax(cls_score, dim=1).gather(
        1, label[:, None]).squeeze(1)
    loss = -log_p
    if gamma:
        loss = loss * (-torch.expm1(log_p)).clamp_min(0).pow(gamma)
    return loss


@MODELS.register_module()
class ReweightedFocalLoss(ClassCountLoss):
    """Focal loss with class weights: Cui et al.'s CB-Focal by default.

    Cui et al. (CVPR 2019) define the class-balanced focal loss on
    **sigmoid** (one-vs-all) probabilities, and their released code does the
    same: ``w_y sum_c -(1 - p_c) ** gamma log p_c`` with the effective-number
    weight of the true class on every term, summed and divided by the batch
    size. That is the default (``use_sigmoid=True``, ``normalize='batch'``).
    Many re-implementations (and Cao et al.'s ``FocalLoss``) use the
    **softmax** form ``-w_y (1 - p_y) ** gamma log p_y``:
    ``use_sigmoid=False``. ``weighting='none'`` gives the plain focal loss.

    A sigmoid loss trains best with Cui et al.'s classifier bias start
    ``-log((1 - pi) / pi)``, ``pi = 0.1`` (``init_cfg=dict(type='Normal',
    layer='Linear', std=0.01, bias_prob=0.1)`` on the head).

    Args:
        gamma (float): Focusing parameter, >= 0. Defaults to 1.0 (Cui et
            al.'s CIFAR script).
        use_sigmoid (bool): Sigmoid (Cui et al.) or softmax focal loss.
            Defaults to True.
        weighting (str): ``'effective_number'`` (default), ``'inverse'`` or
            ``'none'``.
        beta (float): The effective-number parameter. Defaults to 0.9999.
        normalize (str): ``'batch'`` (default, as Cui et al.) or
            ``'weights'``.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
        loss_weight (float): Factor of the loss.
    """

    def __init__(self,
                 gamma: float = 1.0,
                 use_sigmoid: bool = True,
                 weighting: str = 'effective_number',
                 beta: float = 0.9999,
                 normalize: str = 'batch',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(weighting, beta, normalize, reduction, loss_weight)
        if isinstance(gamma, bool) or not isinstance(
                gamma, (int, float)) or gamma < 0:
            raise ValueError(
                f'ReweightedFocalLoss: gamma={gamma!r} is not >= 0')
        self.gamma = float(gamma)
        self.use_sigmoid = bool(use_sigmoid)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        """The focal loss of every sample."""
        focal = sigmoid_focal if self.use_sigmoid else softmax_focal
        return focal(cls_score, label, self.gamma)

    def extra_repr(self) -> str:
        return (f'gamma={self.gamma}, use_sigmoid={self.use_sigmoid}, ' +
                super().extra_repr())


__all__ = ['ReweightedFocalLoss', 'sigmoid_focal', 'softmax_focal']
