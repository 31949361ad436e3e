"""The BBN image classifier: one trunk, two branches, one linear head."""
import copy
from typing import List, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.structures import DataSample

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ..utils import BBNPretrained


def _is_bbn_pretrained(cfg: dict) -> bool:
    kind = cfg.get('type')
    return kind is BBNPretrained or (isinstance(kind, str) and kind.split(
        '.')[-1] == 'BBNPretrained')


@MODELS.register_module()
class BBNClassifier(ImageClassifier):
    """Bilateral-Branch Network (Zhou et al., CVPR 2020).

    Training (``mode='loss'``) takes a :class:`BranchPair` of batches: the
    conventional batch and the re-balanced batch each go through the shared
    trunk, then through their own branch of :class:`BBNNeck`, and
    :class:`BBNHead` mixes them with the cumulative alpha. Everything else
    (``predict``, ``extract_feat``, ``mode='tensor'``) is the single-image
    path of :class:`ImageClassifier`: both branches on the same image,
    logits ``FC([f_c, f_r])``. So MMPretrain's test tool, ``get_model`` and
    ``ImageClassificationInferencer`` work on BBN unchanged.

    ImageClassifier carries the single-image path as it is; this subclass
    exists for the pair, which ImageClassifier's ``loss`` cannot take.

    Args:
        backbone (dict | nn.Module): A trunk with ``last_block_cfg``, e.g.
            ``CifarResNet(split_last_block=True)``.
        neck (dict, optional): Defaults to ``dict(type='BBNNeck')``; a
            missing ``block`` is filled with ``backbone.last_block_cfg``.
        head (dict): Usually :class:`BBNHead` with ``in_channels`` twice the
            branch feature size.
        joint_pass (bool): Send both batches through the trunk as one
            concatenated batch (faster on GPUs; BatchNorm then sees the two
            batches together). Defaults to False: two passes, as in the
            official code.
        data_preprocessor (dict, optional): Defaults to
            ``BBNDataPreprocessor``, which keeps the pair.
        **kwargs: Other arguments of :class:`ImageClassifier`, e.g.
            ``init_cfg=dict(type='BBNPretrained', checkpoint=...)`` to
            start from a plain ResNet's (or another BBN's) weights.
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 joint_pass: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 **kwargs) -> None:
        if not isinstance(backbone, nn.Module):
            backbone = MODELS.build(backbone)
        neck = copy.deepcopy(neck) if neck is not None else dict(
            type='BBNNeck')
        if isinstance(neck, dict) and 'block' not in neck:
            if not hasattr(backbone, 'last_block_cfg'):
                raise ValueError(
                    f'BBNClassifier: backbone {type(backbone).__name__} has '
                    'no last_block_cfg; set neck.block explicitly')
            if not getattr(backbone, 'split_last_block', True):
                raise ValueError(
                    'BBNClassifier: the backbone keeps its last block '
                    '(split_last_block=False), so both branches would '
                    'repeat it; set backbone.split_last_block=True')
            neck['block'] = backbone.last_block_cfg
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'BBNDataPreprocessor')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            data_preprocessor=data_preprocessor,
            **kwargs)
        self.joint_pass = joint_pass
        neck_out = getattr(self.neck, 'out_channels', None)
        head_in = getattr(self.head, 'in_channels', None)
        if None not in (neck_out, head_in) and neck_out != head_in:
            raise ValueError(
                f'BBNClassifier: head.in_channels={head_in} but the neck '
                f'gives [f_c, f_r] of {neck_out} channels')

    def init_weights(self) -> None:
        """Initialise as MMEngine does; ``BBNPretrained`` comes last.

        MMEngine applies an ``init_cfg`` of type ``Pretrained`` after every
        child's own initialisation and any other ``init_cfg`` before them
        (so the children would overwrite it). ``BBNPretrained`` gets the
        priority of ``Pretrained`` here.
        """
        cfgs = self.init_cfg
        if isinstance(cfgs, dict):
            cfgs = [cfgs]
        late = [c for c in cfgs or [] if _is_bbn_pretrained(c)]
        if not late or self.is_init:
            super().init_weights()
            return
        original = self.init_cfg
        self.init_cfg = [c for c in cfgs if not _is_bbn_pretrained(c)]
        try:
            super().init_weights()
        finally:
            self.init_cfg = original
        for cfg in late:
            args = {k: v for k, v in cfg.items() if k != 'type'}
            BBNPretrained(**args)(self)

    def trunk_maps(self, inputs: BranchPair) -> BranchPair:
        """Shared-trunk feature maps of both halves of a pair.

        Args:
            inputs (BranchPair): Conventional and re-balanced images.

        Returns:
            BranchPair: The trunk's last output for each half.
        """
        if self.joint_pass:
            sizes = [len(half) for half in inputs]
            joint = self.backbone(torch.cat(tuple(inputs)))[-1]
            return BranchPair(*joint.split(sizes))
        return BranchPair(*(self.backbone(half)[-1] for half in inputs))

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
