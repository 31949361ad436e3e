"""``path label`` list files: ImageNet-LT, Places-LT and any such set."""
from typing import List, Optional, Tuple

import numpy as np
from mmengine.logging import MMLogger
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from mmbbn.registry import DATASETS
from .compact import CompactImageDataset, read_annotation_text


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
class LongTailImageList(CompactImageDataset):
    """Any image set annotated by a ``path label`` list file.

    Each line is ``<image path> <class index>``; paths are relative to
    ``data_prefix`` (a leading ``/`` too, as in the Places365 lists; with
    an empty ``data_prefix`` paths are used as written). Labels, paths and
    class names are held as arrays (see :class:`CompactImageDataset`). A
    malformed line or a class index out of range fails at load with one
    line naming the file, the line number and the line.

    Args:
        ann_file (str): The list file, relative to ``data_root``.
        num_classes (int, optional): Number of classes; None takes the
            largest label + 1 (or the length of ``classes``).
        data_root (str): Root of ``ann_file`` and ``data_prefix``.
        data_prefix (str | dict): Folder the image paths are relative to.
        **kwargs: Other arguments of :class:`CompactImageDataset`
            (``classes`` names the classes; default ``'0'..'C-1'``).
    """

    LEADING_SLASH_IS_RELATIVE = True

    def __init__(self,
                 ann_file: str = '',
                 num_classes: Optional[int] = None,
                 data_root: str = '',
                 data_prefix: str = '',
                 **kwargs) -> None:
        if not ann_file:
            raise ValueError(f'{type(self).__name__}: ann_file is empty')
        if num_classes is not None and not (isinstance(num_classes, int)
                                            and num_classes > 0):
            raise ValueError(f'{type(self).__name__}: num_classes='
                             f'{num_classes!r} is not a positive integer')
        self.num_classes = num_classes
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

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
                f'{self.name}: {len(known)} class names for num_classes='
                f'{num_classes}')
        text = read_annotation_text(self.ann_file, self.name)
        paths, labels = parse_image_list(text, self.ann_file, num_classes)
        if num_classes is None:
            num_classes = int(labels.max()) + 1 if len(labels) else 0
        self._metainfo.setdefault(
            'classes', tuple(str(c) for c in range(num_classes)))
        counts = np.bincount(labels, minlength=num_classes)
        logger = MMLogger.get_current_instance()
        logger.info(
            f'{self.name}: {len(labels)} images of {num_classes} classes '
            f'from {self.ann_file}; images per class: min '
            f'{counts.min() if num_classes else 0}, max '
            f'{counts.max() if num_classes else 0}')
        self._check_official_size(len(labels), logger)
        return paths, labels

    def _check_official_size(self, size: int, logger) -> None:
        """Warn when a named split has not its official size."""


class _OfficialListSet(LongTailImageList):
    """A published long-tailed benchmark: ``split`` picks the list file."""

    LIST_FILE = '{split}.txt'
    NUM_CLASSES = 0
    SIZES: dict = {}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 ann_file: Optional[str] = None,
                 **kwargs) -> None:
        if split not in self.SIZES:
            raise ValueError(f'{type(self).__name__}: split={split!r} is not '
                             f'one of {", ".join(self.SIZES)}')
        self.split = split
        kwargs.setdefault('num_classes', self.NUM_CLASSES)
        super().__init__(
            ann_file=ann_file or self.LIST_FILE.format(split=split),
            data_root=data_root,
            **kwargs)

    def _check_official_size(self, size: int, logger) -> None:
        expected = self.SIZES[self.split]
        if size != expected:
            logger.warning(
                f'{self.name}: {self.ann_file} has {size} images; the '
                f'official {self.split} split has {expected} (a partial or '
                'different list?)')

    def extra_repr(self) -> List[str]:
        """Lines added to ``repr``."""
        return [f'Split: \t{self.split}'] + super().extra_repr()


@DATASETS.register_module()
class ImageNetLT(_OfficialListSet):
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

    LIST_FILE = 'ImageNet_LT_{split}.txt'
    NUM_CLASSES = 1000
    SIZES = dict(train=115846, val=20000, test=50000)
    METAINFO = dict(classes=IMAGENET_CATEGORIES)


@DATASETS.register_module()
class PlacesLT(_OfficialListSet):
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

    LIST_FILE = 'Places_LT_{split}.txt'
    NUM_CLASSES = 365
    SIZES = dict(train=62500, val=7300, test=36500)


__all__ = [
    'ImageNetLT', 'LongTailImageList', 'PlacesLT', 'parse_image_list'
]
