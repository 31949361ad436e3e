"""The BBN image classifier: one trunk, two branches, one linear head."""
import copy
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.classifiers import ImageClassifier
from torch.nn.modules.batchnorm import _BatchNorm

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ..backbones.trunk_split import hold_out_last_block, pretrained_cfg


def _bbn_pretrained_to_backbone(init_cfg, backbone: nn.Module):
    """Turn a model-level ``BBNPretrained`` (mmbbn's former initialiser)
    into the backbone's ``Pretrained`` (prefix ``'backbone.'`` by default,
    ``''`` for torchvision's layout); return the rest of ``init_cfg``."""
    cfgs = init_cfg if isinstance(init_cfg, list) else [init_cfg]
    old = [c for c in cfgs if isinstance(c, dict)
           and str(c.get('type')).split('.')[-1] == 'BBNPretrained']
    if not old:
        return init_cfg
    if len(old) > 1 or pretrained_cfg(backbone.init_cfg):
        raise ValueError(
            'BBNClassifier: init_cfg BBNPretrained and a Pretrained '
            'backbone.init_cfg (or two BBNPretrained) name two checkpoints; '
            'keep one')
    backbone.init_cfg = dict(old[0], type='Pretrained',
                             prefix=old[0].get('prefix', 'backbone.') or None)
    return [c for c in cfgs if c not in old and c is not None] or None


@MODELS.register_module()
class BBNClassifier(ImageClassifier):
    """Bilateral-Branch Network (Zhou et al., CVPR 2020) on any backbone.

    The trunk of the split backbone, :class:`BBNNeck`'s two branches and
    :class:`BBNHead`. Training takes a :class:`BranchPair` of batches;
    inference is :class:`ImageClassifier`'s, so MMPretrain's tools and
    inferencers work unchanged. A backbone's ``Pretrained`` also starts the
    neck, unless it has an ``init_cfg``; the classifier stays fresh.

    Args:
        backbone (dict | nn.Module): A supported backbone
            (:func:`supported_backbones`), plain or already split.
        neck (dict, optional): Defaults to ``dict(type='BBNNeck')``, given
            the backbone's held-out block.
        head (dict): Usually :class:`BBNHead`, ``in_channels`` twice the
            branch feature size.
        joint_pass (bool, optional): Both batches through the trunk as one.
            Defaults to None: where that is exact, without BatchNorm (so
            ResNets take two passes, as the official code).
        data_preprocessor (dict, optional): Defaults to
            ``BBNDataPreprocessor``, which keeps the pair.
        init_cfg (dict | list, optional): The model's initialisation.
        **kwargs: Other arguments of :class:`ImageClassifier`.
    """

    def __init__(self, backbone: Union[dict, nn.Module],
                 neck: Optional[dict] = None, head: Optional[dict] = None,
                 joint_pass: Optional[bool] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None,
                 **kwargs) -> None:
        if not isinstance(backbone, nn.Module):
            backbone = MODELS.build(backbone)
        last_block = hold_out_last_block(backbone)
        init_cfg = _bbn_pretrained_to_backbone(init_cfg, backbone)
        if not isinstance(neck, nn.Module):
            neck = MODELS.build(
                dict(copy.deepcopy(neck or dict(type='BBNNeck')),
                     last_block=last_block))
        pretrained = pretrained_cfg(backbone.init_cfg)
        if pretrained and not neck.init_cfg:
            neck.init_cfg = dict(
                type='Pretrained', checkpoint=pretrained['checkpoint'],
                map_location=pretrained.get('map_location', 'cpu'))
        super().__init__(
            backbone=backbone, neck=neck, head=head, init_cfg=init_cfg,
            data_preprocessor={'type': 'BBNDataPreprocessor',
                               **(data_preprocessor or {})},
            **kwargs)
        if joint_pass is None:
            joint_pass = not any(
                isinstance(m, _BatchNorm) for m in self.backbone.modules())
        self.joint_pass = joint_pass
        neck_out = getattr(self.neck, 'out_channels', None)
        head_in = getattr(self.head, 'in_channels', None)
        if None not in (neck_out, head_in) and neck_out != head_in:
            raise ValueError(
                f'BBNClassifier: head.in_channels={head_in} but the neck '
                f'gives [f_c, f_r] of {neck_out} channels')

    def get_layer_depth(self, param_name: str) -> Tuple[int, int]:
        """Layer-wise lr decay depth; a branch parameter has the depth of
        the plain last block it copies."""
        if param_name.startswith('neck.'):
            plain = self.neck.source_key(param_name[len('neck.'):])
            if plain is not None:
                param_name = 'backbone.' + plain
        return super().get_layer_depth(param_name)

    def trunk_maps(self, inputs: BranchPair) -> BranchPair:
        """The trunk's last output for each half of a pair of batches."""
        x_c, x_r = inputs.conventional, inputs.rebalancing
        if self.joint_pass:
            joint = self.backbone(torch.cat((x_c, x_r)))[-1]
            f_c, f_r = joint.split([len(x_c), len(x_r)])
            return BranchPair(conventional=f_c, rebalancing=f_r)
        return BranchPair(conventional=self.backbone(x_c)[-1],
                          rebalancing=self.backbone(x_r)[-1])

    def loss(self, inputs: BranchPair, data_samples: BranchPair) -> dict:
        """The head's BBN losses of a pair of batches."""
        if not isinstance(inputs, BranchPair):
            raise TypeError(
                'BBNClassifier trains on pairs: the train dataloader needs '
                "dataset=dict(type='DualSampleDataset', ...) and "
                "sampler=dict(type='DualSampler'); got a plain "
                f'{type(inputs).__name__} batch')
        feats = self.neck.branch_features(self.trunk_maps(inputs))
        return self.head.loss(feats, data_samples)

    def predict(self, inputs: torch.Tensor, *args, **kwargs) -> list:
        """Single-image prediction, ``FC([f_c, f_r])``."""
        if isinstance(inputs, BranchPair):
            raise TypeError('BBNClassifier.predict takes one batch of '
                            'images, not a BranchPair')
        return super().predict(inputs, *args, **kwargs)
