"""Convert checkpoints of the official BBN release to mmbbn.

Usage:
    python tools/model_converters/bbn_official_to_mmbbn.py SRC DST

The official networks (Megvii-Nanjing/BBN) name their weights
``[module.]backbone.{conv1,bn1,layer1..4}.*`` for the shared trunk (the
ResNet-50 of the iNaturalist models in torchvision naming, with
``downsample.0/1``; or the CIFAR ResNet-32, whose option-A shortcuts have no
weights), ``backbone.cb_block.*`` / ``backbone.rb_block.*`` for the two
branch blocks and ``classifier.{weight,bias}`` for the linear classifier
over ``[f_c, f_r]``. mmbbn's ``BBNResNet`` / ``CifarResNet`` trunks use the
same names, so only the branches and the classifier move:
``neck.conventional.*``, ``neck.rebalancing.*``, ``head.fc.*``.

The file is read with ``weights_only=True`` (mmbbn never unpickles code);
DST is an MMEngine checkpoint (``state_dict`` + ``meta``) for
``load_from``, ``tools/test.py`` or ``get_model(..., pretrained=DST)``.
"""
import argparse
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

import torch

from mmbbn.utils import safe_torch_load

# (official prefix, mmbbn prefix), after any leading ``module.``.
RENAMES = (
    ('backbone.cb_block.', 'neck.conventional.'),
    ('backbone.rb_block.', 'neck.rebalancing.'),
    ('backbone.', 'backbone.'),
    ('classifier.', 'head.fc.'),
)


def convert_key(key: str) -> str:
    """The mmbbn name of an official key.

    Args:
        key (str): e.g. ``module.backbone.cb_block.conv1.weight``.

    Returns:
        str: e.g. ``neck.conventional.conv1.weight``.

    Raises:
        ValueError: The key belongs to no part of the official networks.
    """
    name = key[len('module.'):] if key.startswith('module.') else key
    for old, new in RENAMES:
        if name.startswith(old):
            return new + name[len(old):]
    raise ValueError(f'{key!r} is not a weight of the official BBN networks '
                     '(backbone.*, classifier.*)')


def convert(state: Dict[str, torch.Tensor]) -> 'OrderedDict':
    """Rename an official state dict for mmbbn.

    Args:
        state (dict): The official ``state_dict``.

    Returns:
        OrderedDict: The same tensors under mmbbn's names.

    Raises:
        ValueError: A key is unknown, or the classifier has no bias (the
            official ``FCNorm`` / ``BIAS: False`` variants are not BBN's
            linear classifier).
    """
    converted = OrderedDict((convert_key(k), v) for k, v in state.items())
    if 'head.fc.weight' not in converted:
        raise ValueError('no classifier.weight: not a checkpoint of the '
                         'whole official BBN network')
    if 'head.fc.bias' not in converted:
        raise ValueError('classifier.bias is missing: FCNorm or bias-free '
                         'classifiers are not the BBNHead linear layer')
    for branch in ('neck.conventional.', 'neck.rebalancing.'):
        if not any(k.startswith(branch) for k in converted):
            raise ValueError(f'no weights for {branch}* (cb_block / '
                             'rb_block): not a BBN checkpoint')
    return converted


def describe(converted: Dict[str, torch.Tensor]) -> str:
    """``'ResNet-50'`` or ``'CIFAR ResNet-32'``-like name of the trunk."""
    if 'backbone.layer4.0.conv3.weight' in converted:
        return 'ResNet-50 trunk (Bottleneck, torchvision names)'
    blocks = {k.split('.')[2] for k in converted
              if k.startswith('backbone.layer3.')}
    return f'CIFAR ResNet trunk ({len(blocks)} blocks in layer3 + branch)'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Convert an official BBN checkpoint to mmbbn')
    parser.add_argument('src', help='official checkpoint (.pth)')
    parser.add_argument('dst', help='mmbbn checkpoint to write')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    """Convert ``src`` into ``dst``."""
    args = parse_args(argv)
    ckpt = safe_torch_load(args.src, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise SystemExit(f'{args.src}: no state dict in the checkpoint')
    try:
        converted = convert(state)
    except ValueError as e:
        raise SystemExit(f'{args.src}: {e}') from None
    num_classes = converted['head.fc.weight'].shape[0]
    meta = dict(
        converted_from=osp.basename(args.src),
        converter='tools/model_converters/bbn_official_to_mmbbn.py',
        num_classes=num_classes)
    if isinstance(ckpt, dict) and isinstance(ckpt.get('epoch'), int):
        meta['epoch'] = ckpt['epoch']
    torch.save({'state_dict': converted, 'meta': meta}, args.dst)
    print(f'{args.src} -> {args.dst}: {len(converted)} tensors, '
          f'{describe(converted)}, {num_classes} classes')


if __name__ == '__main__':
    main()
