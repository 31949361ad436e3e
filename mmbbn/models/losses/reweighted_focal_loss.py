"""Focal loss, sigmoid or softmax, with class weights (CB-Focal)."""
import torch
import torch.nn.functional as F

from mmbbn.registry import MODELS
from .class_count_loss import ClassCountLoss


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
    """Focal loss with class weights: Cui et al.'s CB-Focal by default.

    Cui et al. (CVPR 2019) weigh sigmoid (one-vs-all) focal terms by the
    true class's weight and divide by the batch size; ``use_sigmoid=False``
    is the softmax form of Cao et al.'s code. A sigmoid loss trains best
    with Cui et al.'s bias start (head ``init_cfg=dict(type='Normal',
    layer='Linear', std=0.01, bias_prob=0.1)``).

    Args:
        gamma (float): Focusing parameter, >= 0. Defaults to 1.0 (Cui et
            al.'s CIFAR script).
        use_sigmoid (bool): Sigmoid or softmax focal loss. Defaults to True.
        weighting (str): Defaults to ``'effective_number'``.
        normalize (str): Defaults to ``'batch'``.
        **kwargs: Arguments of :class:`ClassCountLoss`.
    """

    repr_keys = ('gamma', 'use_sigmoid')

    def __init__(self,
                 gamma: float = 1.0,
                 use_sigmoid: bool = True,
                 weighting: str = 'effective_number',
                 normalize: str = 'batch',
                 **kwargs) -> None:
        super().__init__(weighting=weighting, normalize=normalize, **kwargs)
        if isinstance(gamma, bool) or not isinstance(
                gamma, (int, float)) or gamma < 0:
            raise ValueError(
                f'ReweightedFocalLoss: gamma={gamma!r} is not >= 0')
        self.gamma = float(gamma)
        self.use_sigmoid = bool(use_sigmoid)

    def sample_loss(self, cls_score: torch.Tensor,
                    label: torch.Tensor) -> torch.Tensor:
        focal = sigmoid_focal if self.use_sigmoid else softmax_focal
        return focal(cls_score, label, self.gamma)
