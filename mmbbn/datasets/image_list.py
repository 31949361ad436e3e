"""``path label`` list files: ImageNet-LT, Places-LT and any such set."""
from typing import List, Optional, Tuple

import numpy as np
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from mmbbn.registry import DATASETS
from .image_files import ImageFileDataset, OfficialSplit, read_annotation_text


def parse_image_list(text: str, path: str,
                     num_classes: Optional[int] = None
                     ) -> Tuple[List[str], np.ndarray]:
    """Items of a ``<image path> <class index>`` list, one per line.

    The label is the last whitespace-separated field, so paths may hold
    spaces. Blank lines are skipped; any other line that is not a path and
    an integer label in ``0..num_classes-1`` is an error naming the file,
    the line and its text.

    Args:
        text (str): The file's text.
        path (str): The file, for messages.
        num_classes (int, optional): Number of classes, to check labels.

    Returns:
        tuple: Image paths and int64 class indices.
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
    """Any image set annotated by a ``path label`` list file.

    Each line is ``<image path> <class index>``; paths are relative to
    ``data_prefix`` (a leading ``/`` too, as in the Places365 lists; with
    an empty ``data_prefix`` paths are used as written). See
    :class:`ImageFileDataset`. A malformed line or a class index out of
    range fails at load with one line naming the file, the line number and
    the line.

    Args:
        ann_file (str): The list file, relative to ``data_root``.
        num_classes (int, optional): Number of classes; None takes the
            length of ``classes``, else the largest label + 1.
        **kwargs: Other arguments of :class:`ImageFileDataset`
            (``classes`` names the classes; default ``'0'..'C-1'``).
    """

    LEADING_SLASH_IS_RELATIVE = True
    # The default num_classes (an official set's).
    NUM_CLASSES: Optional[int] = None

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

    def load_annotations(self) -> Tuple[List[str], np.ndarray]:
        """Read and check the list file.

        Returns:
            tuple: Image paths and int64 class indices.
        """
        num_classes = self.num_classes
        known = self._metainfo.get('classes')
        if num_classes is None and known is not None:
            num_classes = len(known)
        elif (num_classes is not None and known is not None
              and len(known) != num_classes):
            raise ValueError(
                f'{type(self).__name__}: {len(known)} class names for '
                f'num_classes={num_classes}')
        text = read_annotation_text(self.ann_file, type(self).__name__)
        paths, labels = parse_image_list(text, self.ann_file, num_classes)
        if num_classes is None:
            num_classes = int(labels.max()) + 1 if len(labels) else 0
        self._metainfo.setdefault(
            'classes', tuple(str(c) for c in range(num_classes)))
        return paths, labels


def _split_files(pattern: str) -> dict:
    return {s: pattern.format(split=s) for s in ('train', 'val', 'test')}


@DATASETS.register_module()
class ImageNetLT(OfficialSplit, LongTailImageList):
    """ImageNet-LT (Liu et al., OLTR): 1,000 classes, Pareto-sampled.

    ``split`` reads ``ImageNet_LT_{train,val,test}.txt`` (115,846 /
    20,000 / 50,000 images) under ``data_root``; their paths
    (``train/n01440764/...JPEG``, ``val/...``) are relative to the ImageNet
    folder, so link ImageNet's ``train`` and ``val`` into ``data_root`` (or
    set ``data_prefix``). Class names are ImageNet's, in the usual wnid
    order that the lists' class indices follow.

    Args:
        data_root (str): E.g. ``'data/imagenet-lt'``.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        ann_file (str, optional): Another list file.
        **kwargs: Other arguments of :class:`LongTailImageList`.
    """

    SPLIT_FILES = _split_files('ImageNet_LT_{split}.txt')
    SIZES = dict(train=115846, val=20000, test=50000)
    NUM_CLASSES = 1000
    METAINFO = dict(classes=IMAGENET_CATEGORIES)


@DATASETS.register_module()
class PlacesLT(OfficialSplit, LongTailImageList):
    """Places-LT (Liu et al., OLTR): 365 scene classes of Places365.

    ``split`` reads ``Places_LT_{train,val,test}.txt`` (62,500 / 7,300 /
    36,500 images) under ``data_root``; paths are relative to the Places365
    image folder (``data_prefix``). Class names default to ``'0'..'364'``;
    pass ``classes`` (a file with one name per line) for readable ones.

    Args:
        data_root (str): E.g. ``'data/places-lt'``.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        ann_file (str, optional): Another list file.
        **kwargs: Other arguments of :class:`LongTailImageList`.
    """

    SPLIT_FILES = _split_files('Places_LT_{split}.txt')
    SIZES = dict(train=62500, val=7300, test=36500)
    NUM_CLASSES = 365


__all__ = [
    'ImageNetLT', 'LongTailImageList', 'PlacesLT', 'parse_image_list'
]
