"""Split a backbone into BBN's shared trunk and its held-out last block."""
import copy
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones import (ConvNeXt, DeiT3,
                                         DistilledVisionTransformer, ResNet,
                                         ResNet_CIFAR, ResNetV1c, ResNetV1d,
                                         ResNeXt, SEResNet, SEResNeXt,
                                         SwinTransformer, VisionTransformer)


class LastBlock(NamedTuple):
    """A backbone's held-out ``block`` (each branch copies it), its ``name``
    in the plain backbone (``'layer4.2'``), the ``pool`` after it (modules
    under their plain names), the feature size ``out_channels`` and the
    prefix ``block_key`` of the plain block's weights in ``block``."""

    block: nn.Module
    name: str
    pool: nn.Module
    out_channels: int
    block_key: str = ''

    def plain_keys(self) -> List[str]:
        """Keys of the held-out parts in the plain backbone's state dict."""
        keys = [f'{self.name}.{k[len(self.block_key):]}'
                for k in self.block.state_dict()]
        return keys + list(self.pool.state_dict())


_SPLITS: Dict[type, Callable[[nn.Module], LastBlock]] = {}


def register_split(*classes: type) -> Callable:
    """Register ``fn(backbone) -> LastBlock`` as the split of ``classes``
    (exact types: a subclass may build its stages differently)."""
    def register(fn: Callable[[nn.Module], LastBlock]) -> Callable:
        _SPLITS.update(dict.fromkeys(classes, fn))
        return fn
    return register


def supported_backbones() -> List[str]:
    """Names of the backbone classes BBN can split."""
    return sorted(cls.__name__ for cls in _SPLITS)


def hold_out_last_block(backbone: nn.Module) -> LastBlock:
    """Split ``backbone`` in place (idempotent), kept as ``.last_block``;
    loaded on its own, the trunk drops the held-out weights and fails in
    one line on another architecture (``Pretrained`` would only warn)."""
    held = getattr(backbone, 'last_block', None)
    if isinstance(held, LastBlock):
        return held
    split = _SPLITS.get(type(backbone))
    if split is None:
        raise ValueError(
            f'BBN cannot split the backbone {type(backbone).__name__}: '
            f'supported are {", ".join(supported_backbones())}')
    backbone.last_block = held = split(backbone)
    backbone.register_load_state_dict_pre_hook(trunk_pre_hook)
    return held


def pretrained_cfg(init_cfg) -> Optional[dict]:
    """The ``Pretrained`` entry of an ``init_cfg`` (dict or list), if any."""
    for cfg in init_cfg if isinstance(init_cfg, list) else [init_cfg]:
        kind = cfg.get('type') if isinstance(cfg, dict) else None
        name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
        if name.split('.')[-1] in ('Pretrained', 'PretrainedInit'):
            return cfg
    return None


def checkpoint_name(module: nn.Module) -> str:
    """The file a module is initialised from, for error messages."""
    cfg = pretrained_cfg(getattr(module, 'init_cfg', None))
    return cfg['checkpoint'] if cfg else 'the loaded state dict'


def check_tensor(owner: str, source: str, key: str, got: torch.Tensor,
                 own_key: str, own: torch.Tensor) -> None:
    """Fail in one line if a checkpoint tensor does not fit the model's."""
    if tuple(got.shape) != tuple(own.shape):
        raise ValueError(
            f'{owner}: {key} in {source} has shape {tuple(got.shape)}, but '
            f"the model's {own_key} has {tuple(own.shape)} (weights of "
            'another architecture, depth or input channels?)')


def trunk_pre_hook(module: nn.Module, state_dict: dict, prefix: str,
                   *args) -> None:
    """Check a split backbone's own load (keys outside its modules, as
    torchvision's ``fc``, are MMEngine's to report)."""
    if prefix:  # a whole-model load
        return
    owner = f'BBN trunk {type(module).__name__}'
    source = checkpoint_name(module)
    head = (pretrained_cfg(module.init_cfg) or {}).get('prefix') or ''
    for key in module.last_block.plain_keys():
        state_dict.pop(key, None)
    own = module.state_dict()
    for key, value in state_dict.items():
        if key in own:
            check_tensor(owner, source, head + key, value, f'backbone.{key}',
                         own[key])
        elif key.split('.')[0] in module._modules:
            raise ValueError(
                f'{owner}: {source} has {head}{key}, which this trunk does '
                'not have (weights of another architecture or depth?)')
    for key, _ in module.named_parameters():
        if key not in state_dict:
            raise ValueError(
                f'{owner}: {source} has no {head}{key} (weights of another '
                'architecture or depth?)')


def _pop_last(backbone: nn.Module, stage: nn.Module, where: str,
              last: int) -> Tuple[nn.Module, str]:
    """Check the trunk outputs stage ``last``; pop the last block of it."""
    name = type(backbone).__name__
    if last not in backbone.out_indices:
        raise ValueError(
            f'BBN cannot split {name} with out_indices='
            f'{tuple(backbone.out_indices)}: they must include the last '
            f'stage ({last}), which the branches continue')
    if len(stage) < 2:
        raise ValueError(
            f'BBN cannot split {name}: its last stage ({where}) has a single '
            'block, and BBN holds out the last of two or more (the trunk '
            'keeps the others)')
    block = stage[-1]
    del stage[-1]
    return block, f'{where}.{len(stage)}'


def _init_like(block: nn.Module, backbone: nn.Module, *extra: dict) -> None:
    """Give ``block`` the backbone's own random initialisation."""
    cfgs = backbone.init_cfg
    cfgs = cfgs if isinstance(cfgs, list) else [cfgs] if cfgs else []
    init = [copy.deepcopy(c) for c in cfgs
            if pretrained_cfg(c) is None and 'override' not in c]
    if init:
        block.init_cfg = init + list(extra)


@register_split(ResNet, ResNetV1c, ResNetV1d, ResNet_CIFAR, ResNeXt,
                SEResNet, SEResNeXt)
def split_res_layers(backbone: nn.Module) -> LastBlock:
    """ResNets: the last block of the last ``res_layers`` stage + GAP."""
    layer = backbone.res_layers[-1]
    block, name = _pop_last(backbone, getattr(backbone, layer), layer,
                            len(backbone.res_layers) - 1)
    # ResNet's zero_init_residual no longer sees the block.
    zero = []
    if getattr(backbone, 'zero_init_residual', False):
        last_norm = getattr(block, 'norm3_name', None) or block.norm2_name
        zero = [dict(type='Constant', val=0, layer=[],
                     override=dict(name=last_norm))]
    _init_like(block, backbone, *zero)
    return LastBlock(block, name, nn.AdaptiveAvgPool2d(1),
                     int(block.out_channels))


class NormPool(nn.Module):
    """The final norm ``name`` of ConvNeXt (``gap_first``: its option) or
    Swin (``channels_last``), and GAP."""

    def __init__(self, norm: nn.Module, name: str, gap_first: bool = False,
                 channels_last: bool = False) -> None:
        super().__init__()
        self.norm_name = name
        self.gap_first = gap_first
        self.channels_last = channels_last
        self.add_module(name, norm)
        # Like MMPretrain's Swin, the neck loads old checkpoints' ``norm.*``.
        self.legacy_names = {name: 'norm'} if channels_last else {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) block output -> (N, C, 1, 1) feature."""
        norm = getattr(self, self.norm_name)
        if self.channels_last:
            x = norm(x.permute(0, 2, 3, 1))
            return F.adaptive_avg_pool2d(
                x.permute(0, 3, 1, 2).contiguous(), 1)
        if self.gap_first:
            return norm(x.mean([-2, -1], keepdim=True))
        return norm(x).mean([-2, -1], keepdim=True)


class SwinBlockOnMap(BaseModule):
    """A ``SwinBlock`` on (N, C, H, W) maps, as every other branch block."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        tokens = self.block(x.permute(0, 2, 3, 1).reshape(n, h * w, c),
                            (h, w))
        return tokens.view(n, h, w, c).permute(0, 3, 1, 2)


@register_split(ConvNeXt, SwinTransformer)
def split_stages(backbone: nn.Module) -> LastBlock:
    """ConvNeXt / Swin: the last block of the last stage + final norm + GAP."""
    swin = isinstance(backbone, SwinTransformer)
    last = len(backbone.stages) - 1
    stage = backbone.stages[last]
    block, name = _pop_last(backbone, stage.blocks if swin else stage,
                            f'stages.{last}' + ('.blocks' if swin else ''),
                            last)
    norm_name = f'norm{last}'
    pool = NormPool(getattr(backbone, norm_name), norm_name,
                    getattr(backbone, 'gap_before_final_norm', False), swin)
    # The trunk returns the raw map: the norm moved to the pool.
    setattr(backbone, norm_name, nn.Identity())
    if swin:
        block = SwinBlockOnMap(block)
        channels = backbone.num_features[last]
    else:
        backbone.gap_before_final_norm = False
        channels = backbone.channels[last]
    _init_like(block, backbone)
    return LastBlock(block, name, pool, int(channels),
                     'block.' if swin else '')


class ViTPool(nn.Module):
    """ViT's final norm ``ln1``, then the class token, the mean of class
    and distillation tokens (``distilled``), or for ``avg_featmap`` the
    ``ln2``-normalised mean of the patch tokens."""

    def __init__(self, out_type: str, num_extra_tokens: int,
                 ln1: Optional[nn.Module], ln2: Optional[nn.Module],
                 distilled: bool = False) -> None:
        super().__init__()
        self.out_type = out_type
        self.num_extra_tokens = num_extra_tokens
        self.distilled = distilled
        self.ln1 = ln1 if ln1 is not None else nn.Identity()
        if ln2 is not None:
            self.ln2 = ln2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, L, C) tokens -> (N, C) feature."""
        x = self.ln1(x)
        if self.out_type == 'avg_featmap':
            return self.ln2(x[:, self.num_extra_tokens:].mean(dim=1))
        if self.distilled:
            return (x[:, 0] + x[:, 1]) / 2
        return x[:, 0]


@register_split(VisionTransformer, DistilledVisionTransformer, DeiT3)
def split_vit(backbone: VisionTransformer) -> LastBlock:
    """ViT / DeiT: the last encoder layer + final norm + token pooling."""
    if backbone.out_type not in ('cls_token', 'avg_featmap'):
        raise ValueError(
            f'BBN cannot split {type(backbone).__name__} with out_type='
            f"{backbone.out_type!r}: the branches need a feature vector "
            "('cls_token' or 'avg_featmap')")
    last = len(backbone.layers) - 1
    block, name = _pop_last(backbone, backbone.layers, 'layers', last)
    avg = backbone.out_type == 'avg_featmap'
    pool = ViTPool(backbone.out_type, backbone.num_extra_tokens,
                   backbone.ln1 if backbone.final_norm else None,
                   backbone.ln2 if avg else None,
                   isinstance(backbone, DistilledVisionTransformer))
    # The trunk returns the raw tokens of its (new) last layer.
    for norm in ('ln1', 'ln2'):
        if hasattr(backbone, norm):
            setattr(backbone, norm, nn.Identity())
    backbone.out_type = 'raw'
    backbone.out_indices = [last - 1]
    _init_like(block, backbone)
    return LastBlock(block, name, pool, int(backbone.embed_dims))
