"""Image-file sets read from one annotation file; ``path label`` lists
(ImageNet-LT, Places-LT and any such set)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset.base_dataset import force_full_init
from mmengine.fileio import get_text
from mmengine.logging import MMLogger
from mmpretrain.datasets import BaseDataset
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from mmbbn.registry import DATASETS
from .labels import class_counts


def _take(labels: np.ndarray, indices: Union[int, Sequence[int]]):
    """``labels`` of MMEngine's subset ``indices`` (first/last n, or list)."""
    if isinstance(indices, (int, np.integer)):
        return labels[:indices] if indices >= 0 else labels[indices:]
    return labels[np.asarray(indices, dtype=np.int64)]


class ImageFileDataset(BaseDataset):
    """Base of the sets whose images are files named by an annotation file.

    A subclass implements :meth:`load_annotations`; items are MMPretrain's
    (``img_path``, ``gt_label``) and MMEngine does the rest. ``full_init``
    also keeps the labels as one int64 array, so ``get_gt_labels()`` and
    ``get_cat_ids()`` never unpickle an item. An absolute image path is
    used as it is, unless :attr:`LEADING_SLASH_IS_RELATIVE` (list files
    whose paths start with ``/`` but are relative to the image folder).

    A published benchmark names its files in :attr:`SPLIT_FILES`: ``split``
    (default ``'train'``) picks the annotation file under ``data_root``
    unless ``ann_file`` is given, and a file without the split's official
    size (:attr:`SIZES`, :attr:`NUM_CLASSES`) is warned about. Other
    arguments are :class:`mmpretrain.datasets.BaseDataset`'s.
    """

    LEADING_SLASH_IS_RELATIVE = False
    SPLIT_FILES: Dict[str, str] = {}
    SIZES: Dict[str, int] = {}
    NUM_CLASSES: Optional[int] = None

    def __init__(self, ann_file: str = '', split: Optional[str] = None,
                 **kwargs) -> None:
        name = type(self).__name__
        if self.SPLIT_FILES:
            self.split = split or 'train'
            if self.split not in self.SPLIT_FILES:
                raise ValueError(f'{name}: split={split!r} is not one of '
                                 f'{", ".join(self.SPLIT_FILES)}')
            ann_file = ann_file or self.SPLIT_FILES[self.split]
        elif split is not None:
            raise ValueError(f'{name}: split={split!r}, but it has no '
                             'official splits; give ann_file')
        if not ann_file:
            raise ValueError(f'{name}: ann_file is empty')
        self._gt_labels = np.zeros(0, np.int64)
        super().__init__(ann_file=ann_file, **kwargs)

    def load_annotations(self, text: str) -> Tuple[list, np.ndarray, list]:
        """Image paths (relative to ``data_prefix``), int64 class indices
        and the default class names of the annotation file's ``text``."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        paths, labels, names = self.load_annotations(get_text(self.ann_file))
        self._metainfo.setdefault('classes', tuple(names))
        prefix = self.data_prefix.get('img_path', '')
        if prefix:  # what join_path does, without a call per item
            prefix = prefix.rstrip('/') + '/'
            if self.LEADING_SLASH_IS_RELATIVE:
                paths = [prefix + p.lstrip('/') for p in paths]
            else:
                paths = [p if p.startswith('/') else prefix + p
                         for p in paths]
        return [{'img_path': p, 'gt_label': c}
                for p, c in zip(paths, np.asarray(labels).tolist())]

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        # MMEngine's serialisation clears the item list: labels first.
        serialize, self.serialize_data = self.serialize_data, False
        super().full_init()
        self._gt_labels = np.fromiter(
            (d['gt_label'] for d in self.data_list), np.int64,
            len(self.data_list))
        if serialize:
            self.serialize_data = True
            self.data_bytes, self.data_address = self._serialize_data()
        size, classes = len(self), len(self.metainfo.get('classes') or ())
        counts = class_counts(self._gt_labels, classes)
        text = (f'{type(self).__name__}: {self.ann_file} has {size} images '
                f'of {classes} classes')
        official = self.SPLIT_FILES and (self.SIZES[self.split],
                                         self.NUM_CLASSES)
        if official and official != (size, classes):
            MMLogger.get_current_instance().warning(
                f'{text}; the official {self.split} split has {official[0]} '
                f'images of {official[1]} classes (a partial or different '
                'file?)')
        else:
            MMLogger.get_current_instance().info(
                f'{text}, {counts.min(initial=size)} to '
                f'{counts.max(initial=0)} per class')

    @force_full_init
    def get_gt_labels(self) -> np.ndarray:
        return self._gt_labels.copy()

    @force_full_init
    def get_cat_ids(self, idx: int) -> List[int]:
        return [int(self._gt_labels[idx])]

    def get_subset_(self, indices: Union[int, Sequence[int]]) -> None:
        super().get_subset_(indices)
        self._gt_labels = _take(self._gt_labels, indices)

    def get_subset(self, indices: Union[int, Sequence[int]]):
        subset = super().get_subset(indices)
        subset._gt_labels = _take(self._gt_labels, indices)
        return subset

    def prepare_data(self, idx: int):
        """Item ``idx`` through the pipeline; a missing image is one line."""
        try:
            return super().prepare_data(idx)
        except FileNotFoundError as e:
            path = getattr(e, 'filename', None) or self.get_data_info(
                idx)['img_path']
            raise FileNotFoundError(
                f'{type(self).__name__}: image {path} of item {idx} '
                f'(annotation file {self.ann_file}) does not exist') from None

    def extra_repr(self) -> List[str]:
        split = [f'Split: \t{self.split}'] if self.SPLIT_FILES else []
        return split + super().extra_repr()


def parse_image_list(text: str, path: str,
                     num_classes: Optional[int] = None
                     ) -> Tuple[List[str], np.ndarray]:
    """Image paths and int64 labels of ``<image path> <class index>`` lines
    (the label is the last field, so paths may hold spaces)."""
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
    at load naming the file, the line number and the line. ``num_classes``
    None takes :attr:`NUM_CLASSES`, else the length of ``classes`` (the
    names; default ``'0'..'C-1'``), else the largest label + 1.
    """

    LEADING_SLASH_IS_RELATIVE = True

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
class ImageNetLT(LongTailImageList):
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
class PlacesLT(LongTailImageList):
    """Places-LT (OLTR): ``split`` reads ``Places_LT_{split}.txt``; paths
    are relative to the Places365 image folder (``data_prefix``)."""

    SPLIT_FILES = _split_files('Places_LT_{split}.txt')
    SIZES = dict(train=62500, val=7300, test=36500)
    NUM_CLASSES = 365
