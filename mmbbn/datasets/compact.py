"""Image-classification sets held as arrays: cheap at iNaturalist scale.

MMEngine's :class:`~mmengine.dataset.BaseDataset` keeps one dict per item
and pickles each of them into a byte buffer (``serialize_data``): at
437,513 items that is a list of dicts while loading, a pickle per item
and a Python loop to read every label back. The data sets here keep two
arrays instead (the class of each item, and all image paths packed into one
byte buffer with offsets), build the item dict only when it is asked for,
and answer ``get_gt_labels()`` from the label array.
"""
import copy
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset.base_dataset import force_full_init
from mmengine.fileio import get_text, join_path
from mmpretrain.datasets import BaseDataset


class PackedStrings:
    """Many strings in one byte buffer plus offsets.

    Costs the UTF-8 bytes of the strings and 8 bytes per string; pickles
    as two arrays (no per-item objects), so DataLoader workers share it.

    Args:
        strings (Sequence[str]): The strings.
    """

    def __init__(self, strings: Sequence[str] = ()) -> None:
        encoded = [s.encode('utf-8') for s in strings]
        lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        self.offsets = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum(lengths, out=self.offsets[1:])
        self.buffer = np.frombuffer(b''.join(encoded), np.uint8)

    @classmethod
    def _from_arrays(cls, buffer: np.ndarray,
                     offsets: np.ndarray) -> 'PackedStrings':
        packed = cls.__new__(cls)
        packed.buffer, packed.offsets = buffer, offsets
        return packed

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, idx: int) -> str:
        start, end = self.offsets[idx], self.offsets[idx + 1]
        return self.buffer[start:end].tobytes().decode('utf-8')

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffer and the offsets."""
        return self.buffer.nbytes + self.offsets.nbytes

    def take(self, indices: np.ndarray) -> 'PackedStrings':
        """The strings at ``indices``, in that order (vectorised).

        Args:
            indices (np.ndarray): Non-negative positions.

        Returns:
            PackedStrings: A new packed copy.
        """
        indices = np.asarray(indices, np.int64)
        starts = self.offsets[indices]
        lengths = self.offsets[indices + 1] - starts
        offsets = np.zeros(len(indices) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        # Byte k of the new buffer comes from starts[i] + (k - offsets[i]).
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(
            offsets[-1], dtype=np.int64)
        return self._from_arrays(self.buffer[gather], offsets)


def resolve_indices(indices: Union[int, Sequence[int]], size: int,
                    owner: str) -> np.ndarray:
    """MMEngine's ``indices`` argument as an array of positions.

    An int keeps the first (positive) or last (negative) items; a sequence
    names the items.

    Args:
        indices (int | Sequence[int]): As in MMEngine's ``BaseDataset``.
        size (int): Items in the full data set.
        owner (str): Name of the data set for messages.

    Returns:
        np.ndarray: int64 positions in ``0..size-1``.
    """
    if isinstance(indices, (int, np.integer)):
        if abs(int(indices)) > size:
            raise ValueError(f'{owner}: indices={int(indices)} asks for '
                             f'more than its {size} items')
        full = np.arange(size, dtype=np.int64)
        return full[:indices] if indices >= 0 else full[indices:]
    picked = np.asarray(indices, dtype=np.int64).reshape(-1)
    bad = (picked < -size) | (picked >= size)
    if bad.any():
        raise ValueError(f'{owner}: index {int(picked[bad][0])} in indices '
                         f'is outside its {size} items')
    return picked % max(size, 1)


def read_annotation_text(path: str, owner: str) -> str:
    """The text of an annotation file, or one clear line if it is missing.

    Args:
        path (str): The file (any MMEngine file backend).
        owner (str): Name of the data set for messages.

    Returns:
        str: Its text.
    """
    try:
        return get_text(path)
    except FileNotFoundError:
        raise FileNotFoundError(
            f'{owner}: annotation file {path} not found') from None


class CompactImageDataset(BaseDataset):
    """Base of file-image classification sets stored as arrays.

    A subclass implements :meth:`load_annotations`, returning each item's
    image path (relative to ``data_prefix``) and class index, and sets
    ``classes`` in the metainfo if the file names them. Items are then
    served like any MMPretrain data set (``img_path``, ``gt_label``,
    ``sample_idx``) and images are read by the pipeline
    (``LoadImageFromFile``). A missing image fails at its first access with
    one line naming it and the annotation file.

    ``serialize_data`` is accepted for compatibility and has no effect: the
    arrays already are the compact, shareable form. An absolute image path
    is used as it is, unless :attr:`LEADING_SLASH_IS_RELATIVE` (list files
    whose paths start with ``/`` but are relative to the image folder).

    Args:
        ann_file (str): Annotation file, relative to ``data_root``.
        metainfo (dict, optional): Meta information (``classes``).
        data_root (str): Root of ``ann_file`` and ``data_prefix``.
        data_prefix (str | dict): Folder the image paths are relative to.
        indices (int | Sequence[int], optional): Keep only these items.
        serialize_data (bool): Ignored (see above).
        pipeline (Sequence): Processing pipeline.
        test_mode (bool): As in MMEngine.
        lazy_init (bool): Defer reading the annotation file.
        max_refetch (int): As in MMEngine.
        classes (str | Sequence[str], optional): Class names, or a file of
            them (one per line).
    """

    LEADING_SLASH_IS_RELATIVE = False

    def __init__(self,
                 ann_file: str = '',
                 metainfo: Optional[dict] = None,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 max_refetch: int = 1000,
                 classes: Union[str, Sequence[str], None] = None) -> None:
        self._labels = np.zeros(0, np.int64)
        self._paths = PackedStrings()
        super().__init__(
            ann_file=ann_file,
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=data_prefix,
            indices=indices,
            serialize_data=False,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch,
            classes=classes)

    @property
    def name(self) -> str:
        """Name of the data set in messages."""
        return type(self).__name__

    def load_annotations(self) -> Tuple[Sequence[str], np.ndarray]:
        """Read the annotation file.

        Returns:
            tuple: Image paths relative to ``data_prefix`` and int64
            class indices, one per item, in file order.
        """
        raise NotImplementedError

    def full_init(self) -> None:
        """Read the annotations into arrays (once)."""
        if self._fully_initialized:
            return
        paths, labels = self.load_annotations()
        labels = np.asarray(labels, dtype=np.int64)
        if len(paths) != len(labels):
            raise RuntimeError(f'{self.name}: {len(paths)} paths but '
                               f'{len(labels)} labels')
        if not isinstance(paths, PackedStrings):
            paths = PackedStrings(paths)
        self._labels, self._paths = labels, paths
        if self._indices is not None:
            keep = resolve_indices(self._indices, len(labels), self.name)
            self._labels, self._paths = labels[keep], paths.take(keep)
        self._fully_initialized = True

    def load_data_list(self) -> list:
        """Every item's dict (materialised; the data set never needs it)."""
        self.full_init()
        return [self.get_data_info(i) for i in range(len(self))]

    def _image_path(self, path: str) -> str:
        prefix = self.data_prefix.get('img_path', '')
        if not prefix:
            return path
        if self.LEADING_SLASH_IS_RELATIVE:
            path = path.lstrip('/')
        return join_path(prefix, path)

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The annotation of item ``idx``, built on demand.

        Args:
            idx (int): Item index (negative counts from the end).

        Returns:
            dict: ``img_path``, ``gt_label`` and ``sample_idx``.
        """
        size = len(self._labels)
        if not -size <= idx < size:
            raise IndexError(f'{self.name}: index {idx} is outside its '
                             f'{size} items')
        idx = int(idx) % size
        return dict(
            img_path=self._image_path(self._paths[idx]),
            gt_label=int(self._labels[idx]),
            sample_idx=idx)

    def prepare_data(self, idx: int):
        """Item ``idx`` through the pipeline; a missing image is one line."""
        try:
            return super().prepare_data(idx)
        except FileNotFoundError as e:
            path = getattr(e, 'filename', None) or self.get_data_info(
                idx)['img_path']
            raise FileNotFoundError(
                f'{self.name}: image {path} of item {idx} (annotation file '
                f'{self.ann_file}) does not exist') from None

    @force_full_init
    def __len__(self) -> int:
        return len(self._labels)

    @force_full_init
    def get_gt_labels(self) -> np.ndarray:
        """Class of every item, from the label array (no item is built).

        Returns:
            np.ndarray: int64 labels.
        """
        return self._labels.copy()

    @force_full_init
    def get_cat_ids(self, idx: int) -> list:
        """Class of item ``idx`` as a list (MMEngine's wrappers use it)."""
        return [int(self._labels[idx])]

    @property
    def nbytes(self) -> int:
        """Bytes held by the item arrays (labels, paths, offsets)."""
        return self._labels.nbytes + self._paths.nbytes

    @force_full_init
    def get_subset_(self, indices: Union[int, Sequence[int]]) -> None:
        """Keep only ``indices`` (in place)."""
        keep = resolve_indices(indices, len(self), self.name)
        self._labels, self._paths = self._labels[keep], self._paths.take(
            keep)

    @force_full_init
    def get_subset(self, indices: Union[int,
                                        Sequence[int]]) -> 'BaseDataset':
        """A copy holding only ``indices``."""
        keep = resolve_indices(indices, len(self), self.name)
        # Share the (large) arrays while copying the rest, then replace them.
        memo = {id(self._labels): self._labels, id(self._paths): self._paths}
        subset = copy.deepcopy(self, memo)
        subset._labels = self._labels[keep]
        subset._paths = self._paths.take(keep)
        return subset


__all__ = [
    'CompactImageDataset', 'PackedStrings', 'read_annotation_text',
    'resolve_indices'
]
