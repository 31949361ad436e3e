"""iNaturalist 2017 / 2018 from the official or BBN's annotation JSON."""
import json
from operator import itemgetter
from typing import Any, List, Optional, Tuple

import numpy as np

from mmbbn.registry import DATASETS
from .image_files import ImageFileDataset, OfficialSplit, read_annotation_text

INAT_FORMATS = ('auto', 'coco', 'bbn')


def load_json(path: str, owner: str) -> Any:
    """Parse a JSON annotation file; a syntax error is one line.

    Args:
        path (str): The file.
        owner (str): Name of the data set for messages.

    Returns:
        The parsed document.
    """
    text = read_annotation_text(path, owner)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        near = e.doc[e.pos:e.pos + 30]
        raise ValueError(f'{path}: not valid JSON at line {e.lineno} '
                         f'column {e.colno}: {e.msg} (at {near!r})') from None


def _entries(doc: dict, key: str, path: str) -> list:
    value = doc.get(key)
    if not isinstance(value, list):
        raise ValueError(f'{path}: top-level field {key!r} must be a list, '
                         f'got {type(value).__name__}')
    return value


def _column(entries: list, key: str, kind: type, path: str, section: str,
            show: Optional[str] = None) -> list:
    """One field of every entry, type-checked; a bad entry is one line.

    Args:
        entries (list): The entries (dicts).
        key (str): The field.
        kind (type): Its required type (``int`` or ``str``).
        path (str): The annotation file, for messages.
        section (str): Name of the list, for messages.
        show (str, optional): Another field to name the entry by.

    Returns:
        list: The values.
    """
    try:
        values = list(map(itemgetter(key), entries))
        if set(map(type, values)) <= {kind}:
            return values
    except (KeyError, TypeError):
        pass
    for i, entry in enumerate(entries):
        where = f'{section}[{i}]'
        if isinstance(entry, dict) and show and show in entry:
            where += f' ({show}={entry[show]!r})'
        if not isinstance(entry, dict):
            raise ValueError(f'{path}: {where} is not an object: '
                             f'{entry!r:.80}')
        if key not in entry:
            raise ValueError(f'{path}: {where} has no {key!r} field')
        if type(entry[key]) is not kind:
            raise ValueError(f'{path}: {where} {key}={entry[key]!r} is not '
                             f'{"an integer" if kind is int else "a string"}')
    raise AssertionError('unreachable')  # pragma: no cover


def _lookup(sorted_values: np.ndarray,
            queries: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Positions of ``queries`` in ``sorted_values`` and which were found."""
    if not len(sorted_values):
        return (np.zeros(len(queries), np.int64),
                np.zeros(len(queries), bool))
    pos = np.minimum(np.searchsorted(sorted_values, queries),
                     len(sorted_values) - 1)
    return pos, sorted_values[pos] == queries


def _first_duplicate(ids: np.ndarray) -> Optional[Tuple[int, int]]:
    """Positions of the first repeated value (in sorted order), if any."""
    order = np.argsort(ids, kind='stable')
    ranked = ids[order]
    same = np.flatnonzero(ranked[1:] == ranked[:-1])
    if not len(same):
        return None
    return int(order[same[0]]), int(order[same[0] + 1])


def parse_coco_style(doc: dict, path: str) -> Tuple[list, np.ndarray, list]:
    """Items of the official iNaturalist (COCO-style) annotation file.

    ``images`` give ``id`` and ``file_name``; ``annotations`` give
    ``image_id`` and ``category_id`` (one per image); ``categories`` give
    ``id`` and ``name``. Class index = rank of the category id (the
    official ids are already ``0..C-1``).

    Args:
        doc (dict): The parsed file.
        path (str): The file, for messages.

    Returns:
        tuple: File names, int64 class indices (in ``images`` order) and
        the class names.
    """
    images = _entries(doc, 'images', path)
    annotations = _entries(doc, 'annotations', path)
    categories = _entries(doc, 'categories', path)

    cat_ids = np.array(_column(categories, 'id', int, path, 'categories'),
                       np.int64)
    dup = _first_duplicate(cat_ids)
    if dup:
        raise ValueError(f'{path}: categories[{dup[0]}] and categories'
                         f'[{dup[1]}] both have id={int(cat_ids[dup[0]])}')
    cat_order = np.argsort(cat_ids)
    sorted_cats = cat_ids[cat_order]
    names = [str(categories[i].get('name', cat_ids[i])) for i in cat_order]

    image_ids = np.array(_column(images, 'id', int, path, 'images'),
                         np.int64)
    files = _column(images, 'file_name', str, path, 'images', show='id')
    dup = _first_duplicate(image_ids)
    if dup:
        raise ValueError(f'{path}: images[{dup[0]}] and images[{dup[1]}] '
                         f'both have id={int(image_ids[dup[0]])}')

    ann_images = np.array(
        _column(annotations, 'image_id', int, path, 'annotations', 'id'),
        np.int64)
    ann_cats = np.array(
        _column(annotations, 'category_id', int, path, 'annotations',
                'image_id'), np.int64)

    img_order = np.argsort(image_ids)
    pos, known = _lookup(image_ids[img_order], ann_images)
    if not known.all():
        k = int(np.flatnonzero(~known)[0])
        raise ValueError(f'{path}: annotations[{k}] image_id='
                         f'{int(ann_images[k])} is not an id in images')
    item = img_order[pos]
    dup = _first_duplicate(item)
    if dup:
        raise ValueError(
            f'{path}: annotations[{dup[0]}] and annotations[{dup[1]}] both '
            f'label image_id={int(ann_images[dup[0]])} (one label per image)')
    if len(item) < len(image_ids):
        labelled = np.zeros(len(image_ids), bool)
        labelled[item] = True
        i = int(np.flatnonzero(~labelled)[0])
        raise ValueError(f'{path}: images[{i}] (id={int(image_ids[i])}) has '
                         'no entry in annotations')

    cat_pos, valid = _lookup(sorted_cats, ann_cats)
    if not valid.all():
        k = int(np.flatnonzero(~valid)[0])
        span = (f'ids {int(sorted_cats[0])}..{int(sorted_cats[-1])}'
                if len(sorted_cats) else 'none')
        raise ValueError(
            f'{path}: annotations[{k}] (image_id={int(ann_images[k])}) '
            f'category_id={int(ann_cats[k])} is not one of the '
            f'{len(sorted_cats)} categories ({span})')
    labels = np.empty(len(image_ids), np.int64)
    labels[item] = cat_pos
    return files, labels, names


def parse_bbn_style(doc: dict, path: str) -> Tuple[list, np.ndarray, list]:
    """Items of the official BBN code's converted annotation file.

    ``{"annotations": [{"image_id", "fpath", "im_height", "im_width",
    "category_id"}], "num_classes": C}`` with ``category_id`` in
    ``0..C-1``.

    Args:
        doc (dict): The parsed file.
        path (str): The file, for messages.

    Returns:
        tuple: Image paths, int64 class indices and class names
        (``'0'..'C-1'``).
    """
    num_classes = doc.get('num_classes')
    if type(num_classes) is not int or num_classes < 1:
        raise ValueError(f'{path}: num_classes={num_classes!r} is not a '
                         'positive integer')
    annotations = _entries(doc, 'annotations', path)
    image_ids = np.array(
        _column(annotations, 'image_id', int, path, 'annotations'),
        np.int64)
    dup = _first_duplicate(image_ids)
    if dup:
        raise ValueError(f'{path}: annotations[{dup[0]}] and annotations'
                         f'[{dup[1]}] both have image_id='
                         f'{int(image_ids[dup[0]])}')
    files = _column(annotations, 'fpath', str, path, 'annotations',
                    'image_id')
    labels = np.array(
        _column(annotations, 'category_id', int, path, 'annotations',
                'image_id'), np.int64)
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if len(bad):
        k = int(bad[0])
        raise ValueError(
            f'{path}: annotations[{k}] (image_id={int(image_ids[k])}) '
            f'category_id={int(labels[k])} is outside 0..{num_classes - 1} '
            f'(num_classes={num_classes})')
    return files, labels, [str(c) for c in range(num_classes)]


@DATASETS.register_module()
class INaturalist(ImageFileDataset):
    """iNaturalist from an annotation JSON, in either published format.

    - ``coco``: the official competition files (``train2018.json``,
      ``val2018.json``, ``train2017.json``, ...): ``images`` (``id``,
      ``file_name``), ``annotations`` (``image_id``, ``category_id``) and
      ``categories`` (``id``, ``name``). ``file_name`` is relative to the
      folder holding ``train_val2018/`` (2018) or ``train_val_images/``
      (2017).
    - ``bbn``: the official BBN code's converted files
      (``tools/convert_from_iNat.py``): ``annotations`` (``image_id``,
      ``fpath``, ``category_id``, ...) and ``num_classes``. ``fpath`` is
      joined to ``data_prefix``; an absolute ``fpath`` is used as it is.

    ``auto`` tells them apart by their fields. Items keep the file's
    order (see :class:`ImageFileDataset`). A broken file fails at load
    with one line naming the file, the entry and the value (malformed
    JSON, a duplicated image id, a category id that is not one of the
    categories, a missing field, an image without annotation).

    Args:
        ann_file (str): The annotation JSON, relative to ``data_root``.
        ann_format (str): ``'auto'`` (default), ``'coco'`` or ``'bbn'``.
        **kwargs: Other arguments of :class:`ImageFileDataset`
            (``data_root``, ``data_prefix``...).
    """

    def __init__(self,
                 ann_file: str = '',
                 ann_format: str = 'auto',
                 **kwargs) -> None:
        if ann_format not in INAT_FORMATS:
            raise ValueError(f'{type(self).__name__}: ann_format='
                             f'{ann_format!r} is not one of '
                             f'{", ".join(INAT_FORMATS)}')
        self.ann_format = ann_format
        self.detected_format: Optional[str] = None
        super().__init__(ann_file=ann_file, **kwargs)

    def load_annotations(self) -> Tuple[List[str], np.ndarray]:
        """Read and check the annotation JSON.

        Returns:
            tuple: Image paths and int64 class indices.
        """
        path = self.ann_file
        doc = load_json(path, type(self).__name__)
        if not isinstance(doc, dict):
            raise ValueError(f'{path}: the top level must be an object, got '
                             f'{type(doc).__name__}')
        fmt = self.ann_format
        if fmt == 'auto':
            if 'images' in doc:
                fmt = 'coco'
            elif 'num_classes' in doc:
                fmt = 'bbn'
            else:
                raise ValueError(
                    f'{path}: neither the official iNaturalist format (no '
                    "'images') nor BBN's (no 'num_classes'); top-level "
                    f'fields: {sorted(doc)[:10]}')
        parse = parse_coco_style if fmt == 'coco' else parse_bbn_style
        files, labels, names = parse(doc, path)
        self.detected_format = fmt
        self._metainfo.setdefault('classes', tuple(names))
        return files, labels


@DATASETS.register_module()
class INaturalist2018(OfficialSplit, INaturalist):
    """iNaturalist 2018: 8,142 species, 437,513 train / 24,426 val images.

    ``split='train'`` reads ``train2018.json`` and ``'val'`` reads
    ``val2018.json`` under ``data_root`` (BBN and the long-tail literature
    test on val); ``ann_file`` overrides it, e.g. with BBN's
    ``iNat18_train_8142.json``. See :class:`INaturalist`.

    Args:
        data_root (str): E.g. ``'data/inat2018'``.
        split (str): ``'train'`` or ``'val'``.
        ann_file (str, optional): Another annotation file.
        **kwargs: Other arguments of :class:`INaturalist`.
    """

    SPLIT_FILES = dict(train='train2018.json', val='val2018.json')
    SIZES = dict(train=437513, val=24426)
    NUM_CLASSES = 8142


@DATASETS.register_module()
class INaturalist2017(OfficialSplit, INaturalist):
    """iNaturalist 2017: 5,089 classes, 579,184 train / 95,986 val images.

    ``split='train'`` reads ``train2017.json`` and ``'val'`` reads
    ``val2017.json`` under ``data_root``; ``ann_file`` overrides it, e.g.
    with BBN's ``iNat17_train_5089.json``. See :class:`INaturalist`.

    Args:
        data_root (str): E.g. ``'data/inat2017'``.
        split (str): ``'train'`` or ``'val'``.
        ann_file (str, optional): Another annotation file.
        **kwargs: Other arguments of :class:`INaturalist`.
    """

    SPLIT_FILES = dict(train='train2017.json', val='val2017.json')
    SIZES = dict(train=579184, val=95986)
    NUM_CLASSES = 5089


__all__ = [
    'INAT_FORMATS', 'INaturalist', 'INaturalist2017', 'INaturalist2018',
    'load_json', 'parse_bbn_style', 'parse_coco_style'
]
