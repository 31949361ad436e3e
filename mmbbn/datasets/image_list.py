"""``path label`` list files: ImageNet-LT, Places-LT and any such set."""
from typing import List, Optional, Tuple

import numpy as np
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from mmbbn.registry import DATASETS
from .image_files import ImageFileDataset, OfficialSplit


def parse_image_list(text: str, path: str,
                     num_classes: Optional[int] = None
                     ) -> Tuple[List[str], np.ndarray]:
    """Image paths and int64 labels of ``<image path> <class index>`` lines.

    The label is the last field, so paths may hold spaces; blank lines are
    skipped.
    """
    paths: List[str] = []
    labels: List[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.rsplit(None, 1)
        if not fields:
            continue
        try:
            if len(fields) != 2:
                raise ValueError
            label = int(fields[1])
        except ValueError:
            raise ValueError(f"{path}:{number}: expected '<image path> "
                             f"<class index>', got {line.strip()!r}"
                             ) from None
        if label < 0 or (num_classes is not None and label >= num_classes):
            span = (f'0..{num_classes - 1}' if num_classes is not None else
                    '0 and up')
            raise ValueError(f'{path}:{number}: class index {label} is '
                             f'outside {span} in {line.strip()!r}')
        paths.append(fields[0])
        labels.append(label)
    return paths, np.array(labels, dtype=np.int64)


@DATASETS.register_module()
class LongTailImageList(ImageFileDataset):
    """Any image set annotated by a ``<image path> <class index>`` list.

    Paths are relative to ``data_prefix``, a leading ``/`` too (as in the
    Places365 lists). A malformed line or a class index out of range fails
    at load naming the file, the line number and the line.

    Args:
        ann_file (str): The list file, relative to ``data_root``.
        num_classes (int, optional): Number of classes; None takes the
            length of ``classes``, else the largest label + 1.
        **kwargs: Other arguments of :class:`ImageFileDataset`
            (``classes`` names the classes; default ``'0'..'C-1'``).
    """

    LEADING_SLASH_IS_RELATIVE = True
    NUM_CLASSES: Optional[int] = None  # the default num_classes

    def __init__(self,
                 ann_file: str = '',
                 num_classes: Optional[int] = None,
                 **kwargs) -> None:
        if num_classes is None:
            num_classes = self.NUM_CLASSES
        if num_classes is not None and not (isinstance(num_classes, int)
                                            and num_classes > 0):
            raise ValueError(f'{type(self).__name__}: num_classes='
                             f'{num_classes!r} is not a positive integer')
        self.num_classes = num_classes
        super().__init__(ann_file=ann_file, **kwargs)

    def load_annotations(self, text: str) -> Tuple[list, np.ndarray, list]:
        num_classes = self.num_classes
        known = self._metainfo.get('classes')
        if num_classes is None and known is not None:
            num_classes = len(known)
        elif (num_classes is not None and known is not None
              and len(known) != num_classes):
            raise ValueError(
                f'{type(self).__name__}: {len(known)} class names for '
                f'num_classes={num_classes}')
        paths, labels = parse_image_list(text, self.ann_file, num_classes)
        if num_classes is None:
            num_classes = int(labels.max()) + 1 if len(labels) else 0
        return paths, labels, [str(c) for c in range(num_classes)]


def _split_files(pattern: str) -> dict:
    return {s: pattern.format(split=s) for s in ('train', 'val', 'test')}


@DATASETS.register_module()
class ImageNetLT(OfficialSplit, LongTailImageList):
    """ImageNet-LT (OLTR): ``split`` reads ``ImageNet_LT_{split}.txt``.

    Its paths (``train/n01440764/...``) are relative to the ImageNet
    folder: link ImageNet's ``train`` and ``val`` into ``data_root`` (or
    set ``data_prefix``). Class names are ImageNet's.
    """

    SPLIT_FILES = _split_files('ImageNet_LT_{split}.txt')
    SIZES = dict(train=115846, val=20000, test=50000)
    NUM_CLASSES = 1000
    METAINFO = dict(classes=IMAGENET_CATEGORIES)


@DATASETS.register_module()
class PlacesLT(OfficialSplit, LongTailImageList):
    """Places-LT (OLTR): ``split`` reads ``Places_LT_{split}.txt``; paths
    are relative to the Places365 image folder (``data_prefix``)."""

    SPLIT_FILES = _split_files('Places_LT_{split}.txt')
    SIZES = dict(train=62500, val=7300, test=36500)
    NUM_CLASSES = 365


__all__ = [
    'ImageNetLT', 'LongTailImageList', 'PlacesLT', 'parse_image_list'
]
