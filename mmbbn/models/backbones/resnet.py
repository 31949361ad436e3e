"""The ResNets of BBN: He et al.'s for 32x32 inputs, MMPretrain's by name."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones.resnet import ResNet

from mmbbn.registry import MODELS
from .trunk_split import hold_out_last_block, register_split, split_res_layers

# Depth -> basic blocks per stage: depth = 6 n + 2.
CIFAR_DEPTHS = {20: 3, 32: 5, 44: 7, 56: 9, 110: 18}


def cifar_weight_init(legacy_bn_init: bool = False) -> List[dict]:
    """The ``init_cfg`` of the official BBN and He et al. CIFAR nets:
    Kaiming-normal (fan-in) convolutions, BatchNorm weight 1 (``U(0, 1)``
    with ``legacy_bn_init``, torch 1.0.1's, which the paper used), bias 0."""
    bn = (dict(type='Uniform', layer='_BatchNorm', a=0., b=1., bias=0.)
          if legacy_bn_init else dict(
              type='Constant', layer='_BatchNorm', val=1., bias=0.))
    return [dict(type='Kaiming', layer='Conv2d', mode='fan_in',
                 nonlinearity='relu', distribution='normal'), bn]


class ZeroPadShortcut(nn.Module):
    """He et al.'s "option A" shortcut: subsample, then zero-pad channels
    (``extra_channels``, split evenly before and after)."""

    def __init__(self, stride: int, extra_channels: int) -> None:
        super().__init__()
        self.stride = stride
        self.before = extra_channels // 2
        self.after = extra_channels - self.before

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.before, self.after))


@MODELS.register_module()
class CifarBasicBlock(BaseModule):
    """The basic block of He et al.'s CIFAR ResNets.

    Named as in the official BBN release (its weights convert by renaming
    prefixes). Where the shape changes, ``shortcut`` is ``'A'`` (zero
    padding, the paper's and BBN's) or ``'B'`` (1x1 convolution + BN).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 shortcut: str = 'A',
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if shortcut not in ('A', 'B'):
            raise ValueError(f"CifarBasicBlock: shortcut={shortcut!r} is not "
                             "'A' or 'B'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.conv1 = nn.Conv2d(
            in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(
            out_channels, out_channels, 3, 1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        elif shortcut == 'A':
            self.shortcut = ZeroPadShortcut(stride,
                                            out_channels - in_channels)
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x), inplace=True)


@MODELS.register_module()
class CifarResNet(BaseModule):
    """He et al. ResNet-20/32/44/56/110 for 32x32 images.

    A 3x3 stem, then three stages of ``(depth - 2) / 6`` basic blocks of 1,
    2 and 4 times ``base_channels`` (strides 1, 2, 2).

    Args:
        depth (int): 20, 32, 44, 56 or 110.
        in_channels (int): Input image channels. Defaults to 3.
        base_channels (int): Channels of the stem. Defaults to 16.
        shortcut (str): See :class:`CifarBasicBlock`. Defaults to ``'A'``.
        out_indices (Sequence[int]): Stages returned. Defaults to (2, ).
        split_last_block (bool): Hold the last block out already here (a
            standalone BBN trunk).
        legacy_bn_init (bool): See :func:`cifar_weight_init`.
        frozen_stages (int): Stages to freeze (no gradient, BN in eval
            mode); 0 the stem only, -1 (default) nothing.
        init_cfg (dict | list[dict], optional): Replaces
            :func:`cifar_weight_init`, e.g. with a ``Pretrained``.
    """

    def __init__(self, depth: int = 32, in_channels: int = 3,
                 base_channels: int = 16, shortcut: str = 'A',
                 out_indices: Sequence[int] = (2, ),
                 split_last_block: bool = False, legacy_bn_init: bool = False,
                 frozen_stages: int = -1,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if depth not in CIFAR_DEPTHS:
            raise ValueError(f'CifarResNet: depth={depth!r} is not one of '
                             f'{sorted(CIFAR_DEPTHS)}')
        if not set(out_indices) <= {0, 1, 2}:
            raise ValueError(f'CifarResNet: out_indices={out_indices!r} '
                             'must be stage indices in 0..2')
        if not -1 <= frozen_stages <= 3:
            raise ValueError(f'CifarResNet: frozen_stages={frozen_stages!r} '
                             'must be in -1..3')
        super().__init__(init_cfg=init_cfg
                         or cifar_weight_init(legacy_bn_init))
        self.depth = depth
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.conv1 = nn.Conv2d(
            in_channels, base_channels, 3, 1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(base_channels)
        self.res_layers = ['layer1', 'layer2', 'layer3']
        channels = base_channels
        for stage, name in enumerate(self.res_layers):
            blocks = []
            for i in range(CIFAR_DEPTHS[depth]):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(CifarBasicBlock(
                    channels, base_channels * 2**stage, stride, shortcut))
                channels = base_channels * 2**stage
            self.add_module(name, nn.Sequential(*blocks))
        self.out_channels = channels
        self._freeze_stages()
        if split_last_block:
            hold_out_last_block(self)

    def _freeze_stages(self) -> None:
        """Eval mode and no gradient for the frozen stages."""
        parts = [(self.conv1, self.bn1), (self.layer1, ), (self.layer2, ),
                 (self.layer3, )]
        for modules in parts[:self.frozen_stages + 1]:
            for m in modules:
                m.eval()
                m.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """The outputs of the stages in ``out_indices``."""
        x = F.relu(self.bn1(self.conv1(x)), inplace=True)
        outs = []
        for i, name in enumerate(self.res_layers):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> 'CifarResNet':
        """Set the training mode, keeping frozen stages in eval mode."""
        super().train(mode)
        self._freeze_stages()
        return self


@MODELS.register_module()
class BBNResNet(ResNet):
    """MMPretrain's ResNet, under the name earlier BBN configs use.

    Args:
        split_last_block (bool): Hold the last block out already here (a
            standalone BBN trunk). Defaults to False.
        **kwargs: Arguments of :class:`mmpretrain.models.ResNet`.
    """

    def __init__(self, split_last_block: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if split_last_block:
            hold_out_last_block(self)


register_split(CifarResNet, BBNResNet)(split_res_layers)


def count_parameters(module: nn.Module) -> int:
    """Number of scalar parameters of ``module``."""
    return sum(p.numel() for p in module.parameters())
