"""Per-item class labels and per-class counts of any MMPretrain data set."""
from typing import Optional, Sequence

import numpy as np


def dataset_name(dataset) -> str:
    """A short name of a data set for messages: its class name."""
    return type(dataset).__name__


def get_gt_labels(dataset) -> np.ndarray:
    """Single-label class indices of every item, without decoding images.

    Uses the data set's ``get_gt_labels()`` (MMPretrain's API, which reads
    annotations only); mmbbn's own data sets answer it from an array.

    Args:
        dataset: A data set with ``get_gt_labels()``.

    Returns:
        np.ndarray: int64 labels of shape (len(dataset), ).

    Raises:
        ValueError: The data set has no single-label annotations.
    """
    name = dataset_name(dataset)
    getter = getattr(dataset, 'get_gt_labels', None)
    if getter is None:
        raise ValueError(f'{name}: has no get_gt_labels(), so it has no '
                         'class labels to count or re-balance')
    try:
        labels = getter()
    except KeyError as e:
        raise ValueError(f'{name}: items have no {e} field; class labels '
                         "('gt_label') are needed") from None
    try:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.dtype.kind not in 'iu':
            raise ValueError
    except ValueError:
        raise ValueError(f'{name}: gt_label must be one integer class per '
                         'item (single-label data)') from None
    return labels.astype(np.int64, copy=False)


def get_num_classes(dataset, labels: Optional[np.ndarray] = None) -> int:
    """Number of classes: the length of ``metainfo['classes']`` if known.

    Args:
        dataset: A data set.
        labels (np.ndarray, optional): Its labels, to check the range.

    Returns:
        int: The number of classes.
    """
    classes = getattr(dataset, 'metainfo', {}).get('classes')
    num = len(classes) if classes is not None else None
    if labels is not None and len(labels):
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or (num is not None and high >= num):
            bad = low if low < 0 else high
            raise ValueError(
                f'{dataset_name(dataset)}: gt_label={bad} is outside the '
                f'{num} classes of metainfo')
        if num is None:
            num = high + 1
    if num is None:
        raise ValueError(f'{dataset_name(dataset)}: no classes in metainfo '
                         'and no labels to count them from')
    return num


def class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Items per class, ``N_i``.

    Args:
        labels (np.ndarray): Class index of each item.
        num_classes (int): Number of classes.

    Returns:
        np.ndarray: int64 counts of shape (num_classes, ).
    """
    return np.bincount(labels, minlength=num_classes).astype(np.int64)


def get_class_counts(dataset) -> np.ndarray:
    """Items per class of a data set, from its labels alone.

    Args:
        dataset: A single-label data set.

    Returns:
        np.ndarray: int64 counts of shape (num_classes, ).
    """
    labels = get_gt_labels(dataset)
    return class_counts(labels, get_num_classes(dataset, labels))


def class_names(dataset, indices: Sequence[int]) -> list:
    """Readable names of some classes of a data set.

    Args:
        dataset: A data set.
        indices (Sequence[int]): Class indices.

    Returns:
        list[str]: ``'name (i)'`` where the name is known, else ``'i'``.
    """
    classes = getattr(dataset, 'metainfo', {}).get('classes')
    if not classes:
        return [str(i) for i in indices]
    return [f'{classes[i]} ({i})' for i in indices]


__all__ = [
    'class_counts', 'class_names', 'dataset_name', 'get_class_counts',
    'get_gt_labels', 'get_num_classes'
]
