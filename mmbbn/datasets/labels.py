"""Per-item class labels and per-class counts of any MMPretrain data set."""
from typing import Optional

import numpy as np


def get_gt_labels(dataset) -> np.ndarray:
    """int64 single-label class indices of every item, from the data set's
    ``get_gt_labels()`` (annotations only, no image is decoded)."""
    name = type(dataset).__name__
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
    except ValueError:  # ragged (multi-label) lists
        labels = None
    if labels is None or labels.ndim != 1 or labels.dtype.kind not in 'iu':
        raise ValueError(f'{name}: gt_label must be one integer class per '
                         'item (single-label data)')
    return labels.astype(np.int64, copy=False)


def get_num_classes(dataset, labels: Optional[np.ndarray] = None) -> int:
    """The length of ``metainfo['classes']``, else the largest label + 1.

    ``labels`` (the data set's) are checked to lie in the classes.
    """
    classes = getattr(dataset, 'metainfo', {}).get('classes')
    num = len(classes) if classes is not None else None
    name = type(dataset).__name__
    if labels is not None and len(labels):
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or (num is not None and high >= num):
            raise ValueError(
                f'{name}: gt_label={low if low < 0 else high} is outside the '
                f'{num} classes of metainfo')
        if num is None:
            num = high + 1
    if num is None:
        raise ValueError(f'{name}: no classes in metainfo and no labels to '
                         'count them from')
    return num


def class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """int64 items per class ``N_i``, of shape (num_classes, )."""
    return np.bincount(labels, minlength=num_classes).astype(np.int64)


def get_class_counts(dataset) -> np.ndarray:
    """int64 items per class of a single-label data set, from its labels."""
    labels = get_gt_labels(dataset)
    return class_counts(labels, get_num_classes(dataset, labels))
