"""BBN's classifier: one linear layer, cumulative mixing of the branches."""
from typing import Callable, List, Optional, Union

import torch
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.structures import DataSample

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair


def mix_features(feats: BranchPair, alpha: float) -> torch.Tensor:
    """BBN's mixed feature ``2 [alpha f_c, (1 - alpha) f_r]`` (N, 2 d); the
    official factor 2 makes alpha = 0.5 the inference input ``[f_c, f_r]``.
    """
    return torch.cat((feats.conventional * (2 * alpha),
                      feats.rebalancing * (2 * (1 - alpha))),
                     dim=1)


def _targets(data_samples: List[DataSample]) -> torch.Tensor:
    """Hard labels (N,) or soft scores (N, C) of a batch."""
    if 'gt_score' in data_samples[0]:
        return torch.stack([s.gt_score for s in data_samples])
    return torch.cat([s.gt_label for s in data_samples])


@MODELS.register_module()
class BBNHead(LinearClsHead):
    """One linear classifier over both branches, mixed by alpha in training.

    Training: ``z = FC(2 [alpha f_c, (1 - alpha) f_r])``,
    ``L = alpha CE(z, y_c) + (1 - alpha) CE(z, y_r)``, the accuracy weighted
    alike (the official code); inference is :class:`LinearClsHead`'s. Only
    :class:`CumulativeAlphaHook` writes ``alpha``, before every iteration;
    it is not in the state dict (resuming recomputes it).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels of ``[f_c, f_r]`` (twice a branch's).
        cal_acc (bool): Log the training accuracy (hard labels only).
            Defaults to True.
        init_cfg (dict, optional): Defaults to None: PyTorch's default
            ``nn.Linear`` initialisation, as the official code.
        **kwargs: Other arguments of :class:`LinearClsHead` (``loss``).
    """

    def __init__(self, num_classes: int, in_channels: int,
                 cal_acc: bool = True,
                 init_cfg: Optional[Union[dict, list]] = None,
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, cal_acc=cal_acc,
                         init_cfg=init_cfg, **kwargs)
        self._alpha: Optional[float] = None

    @property
    def alpha(self) -> Optional[float]:
        """Weight of the conventional branch in training, or None if unset."""
        return self._alpha

    @alpha.setter
    def alpha(self, value: float) -> None:
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f'BBNHead.alpha={value!r} is outside [0, 1]')
        self._alpha = value

    def _load_from_state_dict(self, state_dict, prefix, *args) -> None:
        # A non-strict load (load_from, get_model, the inferencer) would
        # only warn and keep a random classifier.
        key = prefix + 'fc.weight'
        if key in state_dict and state_dict[key].shape != self.fc.weight.shape:
            got = tuple(state_dict[key].shape)
            raise ValueError(
                f'BBNHead: the checkpoint\'s {key} is for {got[0]} classes x '
                f'{got[1]} features, this head has num_classes='
                f'{self.num_classes}, in_channels={self.in_channels}; to '
                'start from weights of another label set, use init_cfg=dict('
                "type='BBNPretrained', checkpoint=...), which keeps the "
                'classifier fresh')
        super()._load_from_state_dict(state_dict, prefix, *args)

    def mixed_logits(self, feats: BranchPair) -> torch.Tensor:
        """Training logits ``FC(2 [alpha f_c, (1 - alpha) f_r])``."""
        if self._alpha is None:
            raise RuntimeError(
                'BBNHead.alpha is unset: add CumulativeAlphaHook to '
                'custom_hooks (it sets alpha before every training step)')
        return self.fc(mix_features(feats, self._alpha))

    def loss(self, feats: BranchPair, data_samples: BranchPair,
             **kwargs) -> dict:
        """The mixed loss of branch features ``f_c``, ``f_r`` and the two
        batches' data samples; ``**kwargs`` go to the loss module."""
        if not (isinstance(feats, BranchPair)
                and isinstance(data_samples, BranchPair)):
            raise TypeError(
                'BBNHead.loss takes BranchPair features and data samples '
                f'(got {type(feats).__name__}, '
                f'{type(data_samples).__name__}): train it inside '
                'BBNClassifier with DualSampleDataset + DualSampler')
        alpha, logits = self._alpha, self.mixed_logits(feats)
        y_c = _targets(data_samples.conventional)
        y_r = _targets(data_samples.rebalancing)

        def mix(value: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
            """``alpha value(y_c) + (1 - alpha) value(y_r)``."""
            return alpha * value(y_c) + (1 - alpha) * value(y_r)

        losses = dict(loss=mix(lambda y: self.loss_module(
            logits, y, avg_factor=len(logits), **kwargs)))
        if self.cal_acc and y_c.ndim == 1:
            with torch.no_grad():
                pred = logits.argmax(dim=1)
                losses['accuracy'] = mix(
                    lambda y: (pred == y).float().mean() * 100)
        return losses
