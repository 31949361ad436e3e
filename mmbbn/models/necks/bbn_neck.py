"""BBN's two unshared residual blocks and their pooling."""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair


@MODELS.register_module()
class BBNNeck(BaseModule):
    """The conventional and re-balancing branches of BBN.

    Each branch is one residual block (built twice from the same config,
    with separate weights) followed by global average pooling. The block is
    the one the backbone held out of its trunk: :class:`BBNClassifier` fills
    ``block`` from ``backbone.last_block_cfg`` when the config leaves it out.

    Inference runs both branches on the same trunk output and returns the
    concatenation ``[f_c, f_r]``, so any linear head over ``2 * d`` channels
    computes BBN's test-time logits ``W [f_c, f_r] + b``.

    Args:
        block (dict): Config of the residual block of each branch.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 block: dict,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(block, dict) or 'type' not in block:
            raise ValueError(f'BBNNeck: block={block!r} is not a block '
                             "config with a 'type'")
        self.conventional = MODELS.build(block)
        self.rebalancing = MODELS.build(block)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.branch_channels = int(block['out_channels'])

    @property
    def out_channels(self) -> int:
        """Channels of the concatenated inference feature."""
        return 2 * self.branch_channels

    def branch_features(self, maps: BranchPair) -> BranchPair:
        """Run each branch on its own trunk output.

        Args:
            maps (BranchPair): Trunk feature maps (N, C, H, W) for the
                conventional and the re-balancing branch.

        Returns:
            BranchPair: Pooled features ``f_c`` and ``f_r``, each (N, d).
        """
        return BranchPair(
            conventional=self.pool(self.conventional(
                maps.conventional)).flatten(1),
            rebalancing=self.pool(self.rebalancing(
                maps.rebalancing)).flatten(1))

    def forward(self,
                inputs: Tuple[torch.Tensor, ...]) -> Tuple[torch.Tensor]:
        """Both branches on the same image: the inference path.

        Args:
            inputs (tuple[Tensor]): Backbone outputs; the last is the trunk's.

        Returns:
            tuple[Tensor]: One tensor ``[f_c, f_r]`` of shape (N, 2 d).
        """
        x = inputs[-1]
        feats = self.branch_features(BranchPair(x, x))
        return (torch.cat(feats, dim=1), )


__all__ = ['BBNNeck']
