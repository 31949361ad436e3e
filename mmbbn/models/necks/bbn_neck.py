"""BBN's two unshared last blocks and what follows them."""
import copy
from typing import Optional, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ..backbones.trunk_split import LastBlock, check_tensor, checkpoint_name
from ..heads.bbn_head import mix_features


@MODELS.register_module()
class BBNNeck(BaseModule):
    """The conventional and re-balancing branches of BBN.

    ``f_c = pool(block_c(x_c))``, ``f_r = pool(block_r(x_r))``, each block a
    copy of the backbone's :class:`LastBlock`; inference runs both on one
    trunk output: ``mix_features([f_c, f_r], inference_alpha)``. Loaded on
    its own from a ``Pretrained``, it starts the branches from the
    checkpoint's (``neck.*``) or its plain last block
    (``backbone.layer4.2.*``, torchvision's ``layer4.2.*``), logging one line.

    Args:
        last_block (LastBlock): What the backbone held out.
        inference_alpha (float): Weight of the conventional branch at
            inference, in [0, 1] (1 or 0: one branch alone, the paper's
            analysis). Defaults to 0.5.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self, last_block: LastBlock, inference_alpha: float = 0.5,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(last_block, LastBlock):
            raise TypeError(
                'BBNNeck: last_block must be what hold_out_last_block('
                f'backbone) returns, got {type(last_block).__name__} '
                '(BBNClassifier passes it)')
        if not 0.0 <= inference_alpha <= 1.0:
            raise ValueError(f'BBNNeck: inference_alpha={inference_alpha!r} '
                             'is outside [0, 1]')
        self.conventional = last_block.block
        self.rebalancing = copy.deepcopy(last_block.block)
        self.pool = last_block.pool
        #: Channels of the inference feature ``[f_c, f_r]``.
        self.out_channels = 2 * last_block.out_channels
        self.block_name = last_block.name
        self.block_key = last_block.block_key
        self.inference_alpha = float(inference_alpha)
        self._register_load_state_dict_pre_hook(self._load_branches)

    def source_key(self, key: str) -> Optional[str]:
        """A neck key's name in the plain backbone
        (``'rebalancing.conv1.weight'`` -> ``'layer4.2.conv1.weight'``,
        ``'pool.ln1.bias'`` -> ``'ln1.bias'``), or None."""
        for branch in ('conventional', 'rebalancing'):
            head = f'{branch}.{self.block_key}'
            if key.startswith(head):
                return f'{self.block_name}.{key[len(head):]}'
        return key[len('pool.'):] if key.startswith('pool.') else None

    def branch_features(self, maps: BranchPair) -> BranchPair:
        """Features ``f_c``, ``f_r`` (N, d), each branch on its own map."""
        return BranchPair(
            conventional=self.pool(self.conventional(
                maps.conventional)).flatten(1),
            rebalancing=self.pool(self.rebalancing(
                maps.rebalancing)).flatten(1))

    def forward(self, inputs: Tuple[torch.Tensor, ...]) -> Tuple[torch.Tensor]:
        """Both branches on the trunk's last output: ``(2 [a f_c,
        (1 - a) f_r], )`` with ``a = inference_alpha``."""
        x = inputs[-1]
        feats = self.branch_features(BranchPair(x, x))
        return (mix_features(feats, self.inference_alpha), )

    def _load_branches(self, state_dict: dict, prefix: str, *args) -> None:
        """Pre-hook: rename a checkpoint's branch keys when the neck is the
        root of the load (a whole-model load has them right)."""
        if prefix:
            return
        source, own = checkpoint_name(self), self.state_dict()
        if any(k.startswith('neck.conventional.') for k in state_dict):
            origin = 'its branches neck.*'
            names = {k: ['neck.' + k] for k in own}
        else:
            root = next((p for p in ('backbone.', '') if any(
                k.startswith(f'{p}{self.block_name}.') for k in state_dict)),
                        None)
            if root is None:
                raise ValueError(
                    f'BBNNeck: {source} has neither the branches of a BBN '
                    f'model (neck.conventional.*) nor the plain network\'s '
                    f'last block (backbone.{self.block_name}.* or '
                    f'{self.block_name}.*) to start them from')
            origin = root + self.block_name
            legacy = getattr(self.pool, 'legacy_names', {}).items()
            names = {}
            for key in own:
                plain = self.source_key(key)
                names[key] = [root + plain] + [
                    f'{root}{old}{plain[len(new):]}' for new, old in legacy
                    if plain.startswith(new)]
        params = dict(self.named_parameters())
        loaded = {}
        for key, candidates in names.items():
            found = next((c for c in candidates if c in state_dict), None)
            if found is None and key in params:
                raise ValueError(
                    f'BBNNeck: {source} has no {candidates[0]} for the '
                    f'model\'s neck.{key} (weights of another architecture?)')
            if found is not None:
                check_tensor('BBNNeck', source, found, state_dict[found],
                             f'neck.{key}', own[key])
                loaded[key] = state_dict[found]
        state_dict.clear()
        state_dict.update(loaded)
        pool = [k for k in loaded if k.startswith('pool.')]
        pool_from = sorted({names[k][0].rsplit('.', 1)[0] for k in pool})
        print_log(
            f'BBNNeck: from {source}: neck.conventional and neck.rebalancing '
            f'<- {origin} ({len(loaded) - len(pool)} tensors)' +
            (f'; neck.pool <- {", ".join(pool_from)}' if pool else ''),
            logger='current')
