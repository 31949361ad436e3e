"""Start a BBN model from a plain classifier's (or another BBN's) weights."""
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

from mmbbn.registry import WEIGHT_INITIALIZERS


def _modules(keys) -> List[str]:
    """Module names of parameter/buffer keys (``a.b.weight`` -> ``a.b``)."""
    return sorted({k.rsplit('.', 1)[0] for k in keys})


def _short(names: List[str], limit: int = 8) -> str:
    if not names:
        return 'nothing'
    more = len(names) - limit
    return ', '.join(names[:limit]) + (f' and {more} more' if more > 0 else
                                       '')


@WEIGHT_INITIALIZERS.register_module()
class BBNPretrained:
    """Initialise a BBN model from a plain or BBN checkpoint.

    The trunk takes the checkpoint's matching keys (``backbone.*``); each
    branch block of :class:`BBNNeck` (``neck.conventional.*``,
    ``neck.rebalancing.*``) takes the checkpoint's own branch weights when it
    is a BBN checkpoint, else the last residual block of the plain network
    (``backbone.layer4.2.*`` for ResNet-50, ``backbone.layer3.4.*`` for the
    CIFAR ResNet-32: the backbone's ``last_block_name``), the block the BBN
    trunk holds out. The classifier is never loaded: it keeps its fresh
    initialisation, so checkpoints of any label set (MMPretrain's ImageNet
    ResNet-50, say) can start a long-tailed run. One log line lists what was
    loaded, from where, and what was not.

    The file is read through MMEngine's checkpoint loader, so paths, URLs
    and every other scheme work, and mmbbn's safe loading applies
    (``weights_only=True``). Use it as the ``init_cfg`` of a
    :class:`BBNClassifier`, which applies it after every other
    initialisation (as MMEngine does for ``Pretrained``)::

        model = dict(
            type='BBNClassifier',
            init_cfg=dict(type='BBNPretrained', checkpoint='resnet50.pth'),
            ...)

    Args:
        checkpoint (str): Path or URL of the checkpoint.
        prefix (str): Prefix of the trunk's keys in the checkpoint:
            ``'backbone.'`` for MMPretrain/MMEngine checkpoints, ``''`` for
            torchvision's ResNet files. Defaults to ``'backbone.'``.
        map_location (str): Where tensors are loaded. Defaults to ``'cpu'``.

    Raises:
        ValueError: No trunk weight matched, or a matched tensor has another
            shape than the model's (another depth or input channels).
    """

    def __init__(self,
                 checkpoint: str,
                 prefix: str = 'backbone.',
                 map_location: str = 'cpu') -> None:
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.map_location = map_location

    def _source_state(self) -> Dict[str, object]:
        ckpt = CheckpointLoader.load_checkpoint(
            self.checkpoint, map_location=self.map_location)
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
        if not isinstance(state, dict) or not state:
            raise ValueError(f'BBNPretrained: {self.checkpoint} holds no '
                             'state dict')
        return OrderedDict((re.sub(r'^module\.', '', k), v)
                           for k, v in state.items())

    def _candidates(self, key: str, block: str) -> List[Tuple[str, str]]:
        """``(module, key)`` in the checkpoint that may give ``key``."""
        if key.startswith('backbone.'):
            return [(self.prefix.rstrip('.') or '(root)',
                     self.prefix + key[len('backbone.'):])]
        match = re.match(r'(neck\.(?:conventional|rebalancing))\.(.+)', key)
        if match:
            src = f'{self.prefix}{block}'
            return [(match.group(1), key), (src, f'{src}.{match.group(2)}')]
        return []

    def __call__(self, module: nn.Module) -> None:
        """Load the weights into ``module`` (a BBN classifier).

        Args:
            module (nn.Module): A model with ``backbone`` (exposing
                ``last_block_name``), ``neck`` and ``head``.
        """
        block: Optional[str] = getattr(
            getattr(module, 'backbone', None), 'last_block_name', None)
        if block is None or not hasattr(module, 'neck'):
            raise TypeError(
                'BBNPretrained initialises a BBN classifier (backbone with '
                f'last_block_name + BBNNeck); got {type(module).__name__}')
        source = self._source_state()
        target = module.state_dict()
        new_state = OrderedDict()
        used, origin = set(), {}
        for key, value in target.items():
            for root, cand in self._candidates(key, block):
                if cand not in source:
                    continue
                got = source[cand]
                if tuple(got.shape) != tuple(value.shape):
                    raise ValueError(
                        f'BBNPretrained: {cand} in {self.checkpoint} has '
                        f'shape {tuple(got.shape)}, but the model\'s {key} '
                        f'has {tuple(value.shape)} (another depth or input '
                        'channels?)')
                new_state[key] = got
                used.add(cand)
                origin[key] = root
                break
        trunk = [k for k in new_state if k.startswith('backbone.')]
        if not trunk:
            raise ValueError(
                f'BBNPretrained: no trunk weight of the model matched a key '
                f'under prefix {self.prefix!r} in {self.checkpoint} (keys '
                f'look like {next(iter(source))!r}); set prefix')
        module.load_state_dict(new_state, strict=False)
        branches = []
        for branch in ('conventional', 'rebalancing'):
            keys = [k for k in origin if k.startswith(f'neck.{branch}.')]
            sources = sorted({origin[k] for k in keys})
            if keys:
                branches.append(f'neck.{branch} <- {", ".join(sources)}')
        missing = _modules(k for k in target if k not in new_state)
        unused = _modules(k for k in source if k not in used)
        print_log(
            f'BBNPretrained: from {self.checkpoint}: loaded '
            f'{len(new_state)} of {len(target)} tensors: backbone '
            f'({len(trunk)} tensors), {"; ".join(branches) or "no branch"}; '
            f'not loaded (kept as initialised): {_short(missing)}; unused '
            f'from the checkpoint: {_short(unused)}',
            logger='current')


__all__ = ['BBNPretrained']
