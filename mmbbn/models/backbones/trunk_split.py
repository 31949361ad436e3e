"""The one place BBN splits a backbone into its trunk and its last block.

BBN's two branches share every weight but the last residual block (Zhou et
al., CVPR 2020). :func:`hold_out_last_block` removes the last block of the
last stage from a backbone, in place, so that the backbone's own
``forward`` computes the shared trunk (its last output is the input of the
held-out block), and returns a :class:`LastBlock`: that block, its name in
the plain network, and what the plain network does after it (``pool``:
final norm, pooling or class token), from which :class:`BBNNeck` makes the
two branches. The final norm is not duplicated: a BBN model has the
parameters of the plain backbone plus one more last block.

One small function per backbone family knows where that block lives; they
are registered per class (:func:`register_split`), so a config names the
plain MMPretrain backbone and ``BBNClassifier`` splits it.

Loading (:func:`trunk_pre_hook`): when the trunk is initialised on its own
(``backbone.init_cfg=dict(type='Pretrained', ...)``), the plain network's
weights of the held-out parts are the branches' (``BBNNeck`` loads them),
so the trunk drops them; a checkpoint of another architecture fails in one
line naming the first mismatching key, where MMEngine's non-strict
``Pretrained`` would only warn and train from partly random weights.
"""
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
    """What a backbone held out of its trunk for BBN's branches.

    Args:
        block (nn.Module): The last block, out of the trunk; each branch is
            a copy. It maps the trunk's output to a tensor of the same
            layout.
        name (str): Its module name in the plain backbone, e.g.
            ``'layer4.2'``: where a plain checkpoint keeps its weights.
        pool (nn.Module): What the plain backbone does after that block,
            block output -> feature ``f`` (flattened by the neck). Its
            submodules keep their names in the plain backbone (``ln1``,
            ``norm3``), so a plain checkpoint's ``ln1.*`` are its ``ln1.*``.
        out_channels (int): Size ``d`` of ``f``.
        block_key (str): Where the plain block's weights sit inside
            ``block``: ``''`` (it is the plain block) or ``'block.'`` for a
            wrapper that adapts its input layout.
    """

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
    """Register the split function of some backbone classes.

    Args:
        *classes (type): Backbone classes (exact types, not subclasses: a
            subclass may build its stages differently).

    Returns:
        Callable: A decorator for ``fn(backbone) -> LastBlock``.
    """

    def register(fn: Callable[[nn.Module], LastBlock]) -> Callable:
        for cls in classes:
            _SPLITS[cls] = fn
        return fn

    return register


def supported_backbones() -> List[str]:
    """Names of the backbone classes BBN can split."""
    return sorted(cls.__name__ for cls in _SPLITS)


def hold_out_last_block(backbone: nn.Module) -> LastBlock:
    """Split ``backbone`` into BBN's trunk (in place) and its last block.

    Idempotent: a backbone split before (e.g. ``CifarResNet(
    split_last_block=True)``) returns its :attr:`last_block` again.

    Args:
        backbone (nn.Module): One of :func:`supported_backbones`.

    Returns:
        LastBlock: What was held out; also kept as ``backbone.last_block``
        (a plain attribute: its modules belong to whoever uses them).

    Raises:
        ValueError: The backbone is not supported, or its last stage has a
            single block (nothing of that stage would stay in the trunk).
    """
    held = getattr(backbone, 'last_block', None)
    if isinstance(held, LastBlock):
        return held
    split = _SPLITS.get(type(backbone))
    if split is None:
        raise ValueError(
            f'BBN cannot split the backbone {type(backbone).__name__}: '
            f'supported are {", ".join(supported_backbones())}')
    held = split(backbone)
    backbone.last_block = held
    backbone.register_load_state_dict_pre_hook(trunk_pre_hook)
    return held


def pretrained_cfg(init_cfg) -> Optional[dict]:
    """The ``Pretrained`` entry of an ``init_cfg`` (dict or list), if any."""
    cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg]
    for cfg in cfgs:
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
    """Load-state-dict pre-hook of a split backbone.

    Acts only when the trunk is the root of the load, i.e. it is
    initialised on its own from its ``init_cfg`` checkpoint (a whole-model
    load is checked by whoever loads the model). It drops the plain
    network's weights of the held-out parts (the neck's to load), and fails
    in one line on the first key that shows another architecture: a tensor
    of another shape, a parameter the checkpoint lacks, or a weight inside
    the trunk's modules that the trunk does not have (a deeper stage).
    Keys of other parts of the source model (torchvision's ``fc``) are left
    to MMEngine, which reports them.
    """
    if prefix:
        return
    owner = f'BBN trunk {type(module).__name__}'
    cfg = pretrained_cfg(module.init_cfg) or {}
    source, ckpt_prefix = checkpoint_name(module), cfg.get('prefix') or ''
    for key in module.last_block.plain_keys():
        state_dict.pop(key, None)
    own = module.state_dict()
    for key, value in state_dict.items():
        if key in own:
            check_tensor(owner, source, ckpt_prefix + key, value,
                         f'backbone.{key}', own[key])
        elif key.split('.')[0] in module._modules:
            raise ValueError(
                f'{owner}: {source} has {ckpt_prefix}{key}, which this '
                'trunk does not have (weights of another architecture or '
                'depth?)')
    for key, _ in module.named_parameters():
        if key not in state_dict:
            raise ValueError(
                f'{owner}: {source} has no {ckpt_prefix}{key} (weights of '
                'another architecture or depth?)')


def _pop_last(stage: nn.Module, backbone: nn.Module,
              where: str) -> Tuple[nn.Module, str]:
    """Remove and return the last block of ``stage`` and its name."""
    if len(stage) < 2:
        raise ValueError(
            f'BBN cannot split {type(backbone).__name__}: its last stage '
            f'({where}) has a single block, and BBN holds out the last of '
            'two or more (the trunk keeps the others)')
    index = len(stage) - 1
    block = stage[index]
    del stage[index]
    return block, f'{where}.{index}'


def _last_stage_out(backbone: nn.Module, last: int) -> None:
    """The trunk must output its last stage, which the branches continue."""
    if last not in backbone.out_indices:
        raise ValueError(
            f'BBN cannot split {type(backbone).__name__} with out_indices='
            f'{tuple(backbone.out_indices)}: they must include the last '
            f'stage ({last}), which the branches continue')


def _random_init(backbone: nn.Module) -> List[dict]:
    """The backbone's own random initialisation, for its held-out block."""
    cfgs = backbone.init_cfg
    cfgs = cfgs if isinstance(cfgs, list) else [cfgs] if cfgs else []
    return [
        copy.deepcopy(c) for c in cfgs
        if pretrained_cfg(c) is None and 'override' not in c
    ]


def _set_init(block: nn.Module, init: List[dict]) -> None:
    if init:
        block.init_cfg = init


@register_split(ResNet, ResNetV1c, ResNetV1d, ResNet_CIFAR, ResNeXt,
                SEResNet, SEResNeXt)
def split_res_layers(backbone: nn.Module) -> LastBlock:
    """ResNets: the last block of the last ``res_layers`` stage + GAP.

    The block starts as the backbone would start it: its ``init_cfg``, and
    a zero last norm with ``zero_init_residual`` (MMPretrain's ResNet does
    that in its ``init_weights``, which no longer sees the block).
    """
    _last_stage_out(backbone, len(backbone.res_layers) - 1)
    layer = backbone.res_layers[-1]
    block, name = _pop_last(getattr(backbone, layer), backbone, layer)
    init = _random_init(backbone)
    if init and getattr(backbone, 'zero_init_residual', False):
        last_norm = getattr(block, 'norm3_name', None) or block.norm2_name
        init.append(dict(type='Constant', val=0, layer=[],
                         override=dict(name=last_norm)))
    _set_init(block, init)
    return LastBlock(block, name, nn.AdaptiveAvgPool2d(1),
                     int(block.out_channels))


class ConvNeXtPool(nn.Module):
    """ConvNeXt after its last block: GAP and the final norm (or reverse).

    Args:
        norm (nn.Module): The backbone's final norm of the last stage.
        name (str): Its name in the backbone (``norm3``).
        gap_before_final_norm (bool): The backbone's order.
    """

    def __init__(self, norm: nn.Module, name: str,
                 gap_before_final_norm: bool) -> None:
        super().__init__()
        self.norm_name = name
        self.gap_before_final_norm = gap_before_final_norm
        self.add_module(name, norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) block output -> (N, C, 1, 1) feature."""
        norm = getattr(self, self.norm_name)
        if self.gap_before_final_norm:
            return norm(x.mean([-2, -1], keepdim=True))
        return norm(x).mean([-2, -1], keepdim=True)


@register_split(ConvNeXt)
def split_convnext(backbone: ConvNeXt) -> LastBlock:
    """ConvNeXt: the last block of the last stage + GAP + final norm."""
    last = backbone.num_stages - 1
    _last_stage_out(backbone, last)
    block, name = _pop_last(backbone.stages[last], backbone, f'stages.{last}')
    norm_name = f'norm{last}'
    pool = ConvNeXtPool(getattr(backbone, norm_name), norm_name,
                        backbone.gap_before_final_norm)
    # The trunk returns the raw map: the norm moved to the pool.
    setattr(backbone, norm_name, nn.Identity())
    backbone.gap_before_final_norm = False
    _set_init(block, _random_init(backbone))
    return LastBlock(block, name, pool, int(backbone.channels[last]))


class SwinBlockOnMap(BaseModule):
    """A Swin block on (N, C, H, W) maps, as every other branch block.

    Args:
        block (nn.Module): A ``SwinBlock`` (tokens and their map size in).
    """

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block to the tokens of a (N, C, H, W) map."""
        n, c, h, w = x.shape
        tokens = x.permute(0, 2, 3, 1).reshape(n, h * w, c)
        tokens = self.block(tokens, (h, w))
        return tokens.view(n, h, w, c).permute(0, 3, 1, 2)


class SwinPool(nn.Module):
    """Swin after its last block: the final norm on tokens, then GAP.

    Args:
        norm (nn.Module): The backbone's norm of the last stage.
        name (str): Its name in the backbone (``norm3``).
    """

    def __init__(self, norm: nn.Module, name: str) -> None:
        super().__init__()
        self.norm_name = name
        self.add_module(name, norm)
        # MMPretrain's SwinTransformer loads old checkpoints' ``norm.*`` as
        # the last stage's norm; so does the neck for this pool.
        self.legacy_names = {name: 'norm'}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) block output -> (N, C, 1, 1) feature."""
        x = getattr(self, self.norm_name)(x.permute(0, 2, 3, 1))
        return F.adaptive_avg_pool2d(x.permute(0, 3, 1, 2).contiguous(), 1)


@register_split(SwinTransformer)
def split_swin(backbone: SwinTransformer) -> LastBlock:
    """Swin: the last block of the last stage + final norm + GAP."""
    last = len(backbone.stages) - 1
    _last_stage_out(backbone, last)
    block, name = _pop_last(backbone.stages[last].blocks, backbone,
                            f'stages.{last}.blocks')
    norm_name = f'norm{last}'
    pool = SwinPool(getattr(backbone, norm_name), norm_name)
    setattr(backbone, norm_name, nn.Identity())
    branch = SwinBlockOnMap(block)
    _set_init(branch, _random_init(backbone))
    return LastBlock(branch, name, pool, int(backbone.num_features[last]),
                     block_key='block.')


class ViTPool(nn.Module):
    """ViT after its last layer: final norm, then the class token(s) or the
    normalised mean of the patch tokens (``out_type='avg_featmap'``).

    A distilled DeiT's feature is the mean of its class and distillation
    tokens: one linear layer on it gives the mean of that layer on each,
    as DeiT averages its two heads at inference.

    Args:
        out_type (str): ``'cls_token'`` or ``'avg_featmap'``.
        num_extra_tokens (int): Class (and distillation) tokens.
        ln1 (nn.Module, optional): The final norm (``final_norm=True``).
        ln2 (nn.Module, optional): The norm of ``avg_featmap``.
        distilled (bool): A distilled DeiT (class + distillation token).
    """

    def __init__(self,
                 out_type: str,
                 num_extra_tokens: int,
                 ln1: Optional[nn.Module],
                 ln2: Optional[nn.Module],
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
    _last_stage_out(backbone, last)
    block, name = _pop_last(backbone.layers, backbone, 'layers')
    ln1 = backbone.ln1 if backbone.final_norm else None
    ln2 = backbone.ln2 if backbone.out_type == 'avg_featmap' else None
    pool = ViTPool(backbone.out_type, backbone.num_extra_tokens, ln1, ln2,
                   isinstance(backbone, DistilledVisionTransformer))
    # The trunk returns the raw tokens of its (new) last layer.
    for norm in ('ln1', 'ln2'):
        if hasattr(backbone, norm):
            setattr(backbone, norm, nn.Identity())
    backbone.out_type = 'raw'
    backbone.out_indices = [last - 1]
    _set_init(block, _random_init(backbone))
    return LastBlock(block, name, pool, int(backbone.embed_dims))


__all__ = [
    'ConvNeXtPool', 'LastBlock', 'SwinBlockOnMap', 'SwinPool', 'ViTPool',
    'checkpoint_name', 'hold_out_last_block', 'pretrained_cfg',
    'register_split', 'split_convnext', 'split_res_layers', 'split_swin',
    'split_vit', 'supported_backbones', 'trunk_pre_hook'
]
