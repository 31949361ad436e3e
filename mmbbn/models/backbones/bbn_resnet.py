"""MMPretrain's ResNet under the name earlier BBN configs use."""
from mmpretrain.models.backbones.resnet import ResNet

from mmbbn.registry import MODELS
from .trunk_split import hold_out_last_block, register_split, split_res_layers


@MODELS.register_module()
class BBNResNet(ResNet):
    """MMPretrain's ResNet, kept for configs and tools that name it.

    Args:
        split_last_block (bool): Hold the last block out already here (a
            standalone BBN trunk). Defaults to False.
        **kwargs: Arguments of :class:`mmpretrain.models.ResNet`.
    """

    def __init__(self, split_last_block: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if split_last_block:
            hold_out_last_block(self)


register_split(BBNResNet)(split_res_layers)
