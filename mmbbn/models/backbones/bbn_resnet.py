"""MMPretrain's ResNet under the name earlier BBN configs use."""
from mmpretrain.models.backbones.resnet import ResNet

from mmbbn.registry import MODELS
from .trunk_split import hold_out_last_block, register_split, split_res_layers


@MODELS.register_module()
class BBNResNet(ResNet):
    """MMPretrain's ResNet-18..152 (torchvision key layout), for BBN.

    ``BBNClassifier`` splits any supported backbone, MMPretrain's ``ResNet``
    included, so new configs name ``ResNet``; this class keeps the configs
    and tools that name ``BBNResNet`` building the same model. With
    ``split_last_block=True`` the last block is held out already here (a
    standalone trunk, e.g. ResNet-50 keeps ``layer4.0`` and ``layer4.1``).

    Args:
        split_last_block (bool): Hold the last block out at construction.
            Defaults to False.
        **kwargs: Arguments of :class:`mmpretrain.models.ResNet`.
    """

    def __init__(self, split_last_block: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if split_last_block:
            hold_out_last_block(self)


register_split(BBNResNet)(split_res_layers)

__all__ = ['BBNResNet']
