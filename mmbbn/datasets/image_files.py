"""Image-file classification sets read from one annotation file."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset.base_dataset import force_full_init
from mmengine.fileio import get_text
from mmengine.logging import MMLogger
from mmpretrain.datasets import BaseDataset

from .labels import class_counts


def _take(labels: np.ndarray, indices: Union[int, Sequence[int]]):
    """``labels`` of MMEngine's subset ``indices`` (first/last n, or list)."""
    if isinstance(indices, (int, np.integer)):
        return labels[:indices] if indices >= 0 else labels[indices:]
    return labels[np.asarray(indices, dtype=np.int64)]


class ImageFileDataset(BaseDataset):
    """Base of the sets whose images are files named by an annotation file.

    A subclass implements :meth:`load_annotations`; items are MMPretrain's
    (``img_path``, ``gt_label``) and MMEngine does the rest. The labels are
    also kept as one int64 array, so ``get_gt_labels()`` and
    ``get_cat_ids()`` never unpickle an item. An absolute image path is
    used as it is, unless :attr:`LEADING_SLASH_IS_RELATIVE` (list files
    whose paths start with ``/`` but are relative to the image folder).

    Args:
        ann_file (str): Annotation file, relative to ``data_root``.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.
            BaseDataset`.
    """

    LEADING_SLASH_IS_RELATIVE = False

    def __init__(self, ann_file: str = '', **kwargs) -> None:
        if not ann_file:
            raise ValueError(f'{type(self).__name__}: ann_file is empty')
        self._gt_labels = np.zeros(0, np.int64)
        super().__init__(ann_file=ann_file, **kwargs)

    def load_annotations(self, text: str) -> Tuple[list, np.ndarray, list]:
        """Items of the annotation file's ``text``.

        Returns:
            tuple: Image paths relative to ``data_prefix`` and int64 class
            indices, in file order, and the default class names.
        """
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

    def _keep_labels(self) -> None:
        self._gt_labels = np.fromiter(
            (d['gt_label'] for d in self.data_list), np.int64,
            len(self.data_list))

    def _serialize_data(self) -> Tuple[np.ndarray, np.ndarray]:
        # MMEngine clears the item list here: take the labels first.
        self._keep_labels()
        return super()._serialize_data()

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        super().full_init()
        if not self.serialize_data:
            self._keep_labels()
        num_classes = len(self.metainfo.get('classes') or ())
        counts = class_counts(self._gt_labels, num_classes)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(self)} images of {num_classes} '
            f'classes from {self.ann_file}; images per class: min '
            f'{counts.min() if num_classes else 0}, max '
            f'{counts.max() if num_classes else 0}')

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


class OfficialSplit:
    """Mixin of a published benchmark: ``split`` picks the annotation file.

    A loaded file whose size is not the split's official one (a partial or
    mixed-up copy) is warned about; ``ann_file`` overrides the file.

    Args:
        data_root (str): Folder of the annotation files.
        split (str): One of :attr:`SPLIT_FILES`.
        ann_file (str, optional): Another annotation file.
        **kwargs: Other arguments of the data set.
    """

    SPLIT_FILES: Dict[str, str] = {}
    SIZES: Dict[str, int] = {}
    NUM_CLASSES: Optional[int] = None

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 ann_file: Optional[str] = None,
                 **kwargs) -> None:
        if split not in self.SPLIT_FILES:
            raise ValueError(f'{type(self).__name__}: split={split!r} is not '
                             f'one of {", ".join(self.SPLIT_FILES)}')
        self.split = split
        super().__init__(
            ann_file=ann_file or self.SPLIT_FILES[split],
            data_root=data_root,
            **kwargs)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        super().full_init()
        size, classes = len(self), len(self.metainfo['classes'])
        expected = self.SIZES[self.split]
        if size != expected or classes != self.NUM_CLASSES:
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: {self.ann_file} has {size} images '
                f'of {classes} classes; the official {self.split} split has '
                f'{expected} images of {self.NUM_CLASSES} classes (a partial '
                'or different file?)')

    def extra_repr(self) -> List[str]:
        return [f'Split: \t{self.split}'] + super().extra_repr()


__all__ = ['ImageFileDataset', 'OfficialSplit']
