"""The transform that lets image files reach in-memory-trained models."""
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmbbn.registry import TRANSFORMS

COLORS = ('gray', 'rgb')


@TRANSFORMS.register_module()
class ConvertImageFile(BaseTransform):
    """Brings an image read from a file to the data set's colour layout.

    In-memory sets give their own layout (Digits-LT grey 2-D arrays,
    CIFAR-LT RGB); MMCV's readers (``LoadImageFromFile``, the inferencer's
    ``imread``) give BGR colour whatever the file holds. A file image is
    recognised by the ``ori_shape`` its reader records and converted to
    ``color``; in-memory items pass unchanged. So the model sees the same
    tensor from a PNG of a test image as from the image itself.

    Args:
        color (str): The data set's layout: ``'gray'`` (2-D) or ``'rgb'``.
    """

    def __init__(self, color: str = 'rgb') -> None:
        if color not in COLORS:
            raise ValueError(f'ConvertImageFile: color={color!r} is not one '
                             f'of {", ".join(COLORS)}')
        self.color = color

    def transform(self, results: dict) -> Optional[dict]:
        if 'ori_shape' not in results:
            return results
        img = results['img']
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[..., 0]
        if self.color == 'gray' and img.ndim == 3:
            img = mmcv.bgr2gray(img)
        elif self.color == 'rgb':
            img = mmcv.bgr2rgb(img) if img.ndim == 3 else mmcv.gray2rgb(img)
        results['img'] = np.ascontiguousarray(img)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(color={self.color!r})'
