"""MMPretrain's ResNet with the last residual block held out for BBN."""
import copy
from typing import List

from mmpretrain.models.backbones.resnet import BasicBlock, Bottleneck, ResNet

from mmbbn.registry import MODELS

# MMPretrain builds its ResNet blocks directly and registers neither; BBN's
# neck builds the held-out block from a config, so both get a name here.
MODELS.register_module(name='ResNetBasicBlock', module=BasicBlock)
MODELS.register_module(name='ResNetBottleneck', module=Bottleneck)


@MODELS.register_module()
class BBNResNet(ResNet):
    """ResNet-18..152 (MMPretrain's, torchvision key layout) for BBN.

    With ``split_last_block=True`` (the BBN trunk for ImageNet-size inputs)
    the last block of the last stage is removed, e.g. ResNet-50 keeps
    ``layer4.0`` and ``layer4.1``; :attr:`last_block_cfg` describes the
    removed block, which :class:`BBNNeck` builds once for each branch. With
    ``False`` this is exactly MMPretrain's ``ResNet``. Every other argument
    is MMPretrain's.

    Args:
        split_last_block (bool): Hold the last block out. Defaults to False.
        **kwargs: Arguments of :class:`mmpretrain.models.ResNet`.
    """

    def __init__(self, split_last_block: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.split_last_block = split_last_block
        last_layer = getattr(self, self.res_layers[-1])
        last = last_layer[-1]
        if len(last_layer) < 2 and split_last_block:
            raise ValueError('BBNResNet: split_last_block=True needs two or '
                             'more blocks in the last stage')
        self._last_block_cfg = self._describe_block(last)
        self._last_block_name = f'{self.res_layers[-1]}.{len(last_layer) - 1}'
        if split_last_block:
            del last_layer[len(last_layer) - 1]

    def _describe_block(self, block) -> dict:
        is_bottleneck = isinstance(block, Bottleneck)
        init_cfg: List[dict] = [
            dict(type='Kaiming', layer=['Conv2d']),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]
        if self.zero_init_residual:
            last_norm = block.norm3_name if is_bottleneck else block.norm2_name
            init_cfg.append(
                dict(type='Constant', val=0, layer=[],
                     override=dict(name=last_norm)))
        return dict(
            type='ResNetBottleneck' if is_bottleneck else 'ResNetBasicBlock',
            in_channels=block.in_channels,
            out_channels=block.out_channels,
            expansion=block.expansion,
            stride=1,
            dilation=self.dilations[-1],
            style=self.style,
            with_cp=self.with_cp,
            conv_cfg=copy.deepcopy(self.conv_cfg),
            norm_cfg=copy.deepcopy(self.norm_cfg),
            init_cfg=init_cfg)

    @property
    def last_block_cfg(self) -> dict:
        """Config of the last residual block (held out when split).

        Returns:
            dict: A ``ResNetBottleneck`` or ``ResNetBasicBlock`` config.
        """
        return copy.deepcopy(self._last_block_cfg)

    @property
    def last_block_name(self) -> str:
        """Name of the last residual block in the unsplit network.

        Returns:
            str: e.g. ``'layer4.2'`` for ResNet-50: where a plain ResNet
            checkpoint (MMPretrain's, torchvision's) keeps the weights of
            BBN's branch block.
        """
        return self._last_block_name

    @property
    def out_channels(self) -> int:
        """Channels of the last stage's output."""
        return self._last_block_cfg['out_channels']


__all__ = ['BBNResNet']
