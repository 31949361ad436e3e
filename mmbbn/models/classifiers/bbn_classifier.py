"""The BBN image classifier: one trunk, two branches, one linear head."""
import copy
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.structures import DataSample
from torch.nn.modules.batchnorm import _BatchNorm

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ..backbones.trunk_split import hold_out_last_block, pretrained_cfg


def _bbn_pretrained_to_backbone(init_cfg, backbone: nn.Module):
    """Move a model-level ``BBNPretrained`` to ``backbone.init_cfg``.

    A compatibility shim for configs written when mmbbn had its own
    initialiser, ``init_cfg=dict(type='BBNPretrained', checkpoint=...,
    prefix='backbone.')`` on the model: it is MMEngine's ``Pretrained`` of
    the backbone with that prefix (``''``: torchvision's layout), and the
    branches follow as for any pretrained backbone.

    Returns:
        The model's ``init_cfg`` without it.
    """
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
    args = {k: v for k, v in old[0].items() if k != 'type'}
    backbone.init_cfg = dict(
        type='Pretrained',
        checkpoint=args.pop('checkpoint'),
        prefix=args.pop('prefix', 'backbone.') or None,
        **args)
    rest = [c for c in cfgs if c not in old and c is not None]
    return rest or None


@MODELS.register_module()
class BBNClassifier(ImageClassifier):
    """Bilateral-Branch Network (Zhou et al., CVPR 2020) on any backbone.

    The backbone is split (:func:`hold_out_last_block`): the trunk is the
    backbone without its last block, each branch of :class:`BBNNeck` a copy
    of that block followed by what the backbone does after it. Training
    (``mode='loss'``) takes a :class:`BranchPair` of batches: each half goes
    through the shared trunk (two passes, or one joint pass), then its own
    branch, and :class:`BBNHead` mixes them with the cumulative alpha.
    Everything else (``predict``, ``extract_feat``, ``mode='tensor'``) is
    the single-image path of :class:`ImageClassifier`: both branches on the
    same image, logits ``FC([f_c, f_r])``. So MMPretrain's test tool,
    ``get_model`` and ``ImageClassificationInferencer`` work on BBN
    unchanged.

    From a plain network's (or another BBN's) weights, give the backbone
    MMEngine's ``Pretrained``, as MMPretrain's fine-tuning configs do::

        backbone=dict(type='ConvNeXt', arch='tiny', init_cfg=dict(
            type='Pretrained', checkpoint=URL, prefix='backbone.'))

    (no ``prefix`` for torchvision's ResNets). The neck then gets a
    ``Pretrained`` of the same file (unless it has an ``init_cfg``), which
    starts both branches from the checkpoint's branches or from its plain
    last block; the classifier keeps its fresh initialisation.

    Args:
        backbone (dict | nn.Module): A supported backbone
            (:func:`supported_backbones`), plain or already split.
        neck (dict, optional): Defaults to ``dict(type='BBNNeck')``; it
            gets the backbone's held-out block.
        head (dict): Usually :class:`BBNHead` with ``in_channels`` twice the
            branch feature size.
        joint_pass (bool, optional): Send both batches through the trunk as
            one concatenated batch. Defaults to None: one joint pass where
            it is exact (a trunk without BatchNorm: ConvNeXt, Swin, ViT),
            two passes where BatchNorm would see the two batches together
            (ResNets; the official code).
        data_preprocessor (dict, optional): Defaults to
            ``BBNDataPreprocessor``, which keeps the pair.
        init_cfg (dict | list, optional): The model's initialisation.
        **kwargs: Other arguments of :class:`ImageClassifier`.
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
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
                type='Pretrained',
                checkpoint=pretrained['checkpoint'],
                map_location=pretrained.get('map_location', 'cpu'))
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'BBNDataPreprocessor')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
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
        """Layer-wise depth of a parameter (layer-wise lr decay).

        A branch parameter has the depth of the plain network's last block
        it copies, as the backbone counts it.

        Args:
            param_name (str): e.g. ``'neck.rebalancing.ffn.layers.1.bias'``.

        Returns:
            tuple[int, int]: The depth and the number of depths.
        """
        if param_name.startswith('neck.'):
            plain = self.neck.source_key(param_name[len('neck.'):])
            if plain is not None:
                param_name = 'backbone.' + plain
        return super().get_layer_depth(param_name)

    def trunk_maps(self, inputs: BranchPair) -> BranchPair:
        """Shared-trunk feature maps of both halves of a pair.

        Args:
            inputs (BranchPair): Conventional and re-balanced images.

        Returns:
            BranchPair: The trunk's last output for each half.
        """
        x_c, x_r = inputs.conventional, inputs.rebalancing
        if self.joint_pass:
            joint = self.backbone(torch.cat((x_c, x_r)))[-1]
            f_c, f_r = joint.split([len(x_c), len(x_r)])
            return BranchPair(conventional=f_c, rebalancing=f_r)
        return BranchPair(conventional=self.backbone(x_c)[-1],
                          rebalancing=self.backbone(x_r)[-1])

    def loss(self, inputs: BranchPair,
             data_samples: BranchPair) -> dict:
        """The BBN loss of a pair of batches.

        Args:
            inputs (BranchPair): Conventional and re-balanced images.
            data_samples (BranchPair): Their data samples.

        Returns:
            dict[str, Tensor]: The head's losses.
        """
        if not isinstance(inputs, BranchPair):
            raise TypeError(
                'BBNClassifier trains on pairs: the train dataloader needs '
                "dataset=dict(type='DualSampleDataset', ...) and "
                "sampler=dict(type='DualSampler'); got a plain "
                f'{type(inputs).__name__} batch')
        feats = self.neck.branch_features(self.trunk_maps(inputs))
        return self.head.loss(feats, data_samples)

    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Single-image prediction, ``FC([f_c, f_r])``.

        Args:
            inputs (Tensor): Images of shape (N, C, H, W).
            data_samples (list[DataSample], optional): Annotations.
            **kwargs: Passed to the head's ``predict``.

        Returns:
            list[DataSample]: Predictions.
        """
        if isinstance(inputs, BranchPair):
            raise TypeError('BBNClassifier.predict takes one batch of '
                            'images, not a BranchPair')
        return super().predict(inputs, data_samples, **kwargs)


__all__ = ['BBNClassifier']
