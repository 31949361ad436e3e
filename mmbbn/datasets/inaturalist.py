"""iNaturalist 2017 / 2018 from the official or BBN's annotation JSON."""
import json
from operator import itemgetter
from typing import Optional, Tuple

import numpy as np

from mmbbn.registry import DATASETS
from .image_files import ImageFileDataset

INAT_FORMATS = ('auto', 'coco', 'bbn')


def _entries(doc: dict, key: str, path: str) -> list:
    value = doc.get(key)
    if not isinstance(value, list):
        raise ValueError(f'{path}: top-level field {key!r} must be a list, '
                         f'got {type(value).__name__}')
    return value


def _column(entries: list, key: str, kind: type, path: str, section: str,
            show: Optional[str] = None) -> list:
    """Field ``key`` of every entry, of type ``kind`` (int: as an int64
    array); a bad entry is one line naming it (by field ``show`` too)."""
    try:
        values = list(map(itemgetter(key), entries))
        if set(map(type, values)) <= {kind}:
            return np.array(values, np.int64) if kind is int else values
    except (KeyError, TypeError):
        pass
    for i, entry in enumerate(entries):
        where = f'{section}[{i}]'
        if not isinstance(entry, dict):
            raise ValueError(f'{path}: {where} is not an object: '
                             f'{entry!r:.80}')
        if show in entry:
            where += f' ({show}={entry[show]!r})'
        if key not in entry:
            raise ValueError(f'{path}: {where} has no {key!r} field')
        if type(entry[key]) is not kind:
            raise ValueError(f'{path}: {where} {key}={entry[key]!r} is not '
                             f'{"an integer" if kind is int else "a string"}')
    raise AssertionError('unreachable')  # pragma: no cover


def _unique(ids: np.ndarray, path: str, section: str, what: str,
            end: str = '') -> np.ndarray:
    """The sorting order of ``ids``; a repeated value is one line naming
    both entries."""
    order = np.argsort(ids, kind='stable')
    same = np.flatnonzero(ids[order][1:] == ids[order][:-1])
    if len(same):
        i, j = order[same[0]], order[same[0] + 1]
        raise ValueError(f'{path}: {section}[{i}] and {section}[{j}] '
                         f'both {what}={ids[i]}{end}')
    return order


def _lookup(sorted_values: np.ndarray,
            queries: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Positions of ``queries`` in ``sorted_values`` and which were found."""
    if not len(sorted_values):
        return np.zeros(len(queries), np.int64), np.zeros(len(queries), bool)
    pos = np.minimum(np.searchsorted(sorted_values, queries),
                     len(sorted_values) - 1)
    return pos, sorted_values[pos] == queries


def parse_coco_style(doc: dict, path: str) -> Tuple[list, np.ndarray, list]:
    """File names, int64 class indices and class names of the official
    (COCO-style) file; class index = rank of the category id."""
    images, annotations, categories = (
        _entries(doc, key, path)
        for key in ('images', 'annotations', 'categories'))
    cat_ids = _column(categories, 'id', int, path, 'categories')
    cat_order = _unique(cat_ids, path, 'categories', 'have id')
    sorted_cats = cat_ids[cat_order]
    names = [str(categories[i].get('name', cat_ids[i])) for i in cat_order]
    image_ids = _column(images, 'id', int, path, 'images')
    files = _column(images, 'file_name', str, path, 'images', show='id')
    img_order = _unique(image_ids, path, 'images', 'have id')
    ann_images = _column(annotations, 'image_id', int, path, 'annotations',
                         'id')
    ann_cats = _column(annotations, 'category_id', int, path,
                       'annotations', 'image_id')

    pos, known = _lookup(image_ids[img_order], ann_images)
    if not known.all():
        k = np.flatnonzero(~known)[0]
        raise ValueError(f'{path}: annotations[{k}] image_id='
                         f'{ann_images[k]} is not an id in images')
    item = img_order[pos]
    _unique(ann_images, path, 'annotations', 'label image_id',
            ' (one label per image)')
    if len(item) < len(image_ids):
        i = np.flatnonzero(np.bincount(item, minlength=len(image_ids)) == 0)
        raise ValueError(f'{path}: images[{i[0]}] (id={image_ids[i[0]]}) '
                         'has no entry in annotations')
    cat_pos, valid = _lookup(sorted_cats, ann_cats)
    if not valid.all():
        k = np.flatnonzero(~valid)[0]
        span = (f'ids {sorted_cats[0]}..{sorted_cats[-1]}'
                if len(sorted_cats) else 'none')
        raise ValueError(
            f'{path}: annotations[{k}] (image_id={ann_images[k]}) '
            f'category_id={ann_cats[k]} is not one of the '
            f'{len(sorted_cats)} categories ({span})')
    labels = np.empty(len(image_ids), np.int64)
    labels[item] = cat_pos
    return files, labels, names


def parse_bbn_style(doc: dict, path: str) -> Tuple[list, np.ndarray, list]:
    """Image paths, int64 class indices and class names (``'0'..'C-1'``)
    of the BBN code's converted file."""
    num_classes = doc.get('num_classes')
    if type(num_classes) is not int or num_classes < 1:
        raise ValueError(f'{path}: num_classes={num_classes!r} is not a '
                         'positive integer')
    annotations = _entries(doc, 'annotations', path)
    image_ids = _column(annotations, 'image_id', int, path, 'annotations')
    _unique(image_ids, path, 'annotations', 'have image_id')
    files = _column(annotations, 'fpath', str, path, 'annotations',
                    'image_id')
    labels = _column(annotations, 'category_id', int, path, 'annotations',
                     'image_id')
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if len(bad):
        k = bad[0]
        raise ValueError(
            f'{path}: annotations[{k}] (image_id={image_ids[k]}) '
            f'category_id={labels[k]} is outside 0..{num_classes - 1} '
            f'(num_classes={num_classes})')
    return files, labels, [str(c) for c in range(num_classes)]


@DATASETS.register_module()
class INaturalist(ImageFileDataset):
    """iNaturalist from an annotation JSON, in either published format.

    - ``coco``: the official files (``train2018.json``...): ``images``
      (``id``, ``file_name``), ``annotations`` (``image_id``,
      ``category_id``) and ``categories`` (``id``, ``name``).
    - ``bbn``: the BBN code's converted files: ``annotations``
      (``image_id``, ``fpath``, ``category_id``) and ``num_classes``.

    ``auto`` tells them apart by their fields. A broken file fails at load
    with one line naming the file, the entry and the value.

    Args:
        ann_file (str): The annotation JSON, relative to ``data_root``.
        ann_format (str): ``'auto'`` (default), ``'coco'`` or ``'bbn'``.
        **kwargs: Other arguments of :class:`ImageFileDataset`.
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

    def load_annotations(self, text: str) -> Tuple[list, np.ndarray, list]:
        path = self.ann_file
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(
                f'{path}: not valid JSON at line {e.lineno} column '
                f'{e.colno}: {e.msg} (at {e.doc[e.pos:e.pos + 30]!r})'
            ) from None
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
        items = parse(doc, path)
        self.detected_format = fmt
        return items


@DATASETS.register_module()
class INaturalist2018(INaturalist):
    """iNaturalist 2018 (8,142 species): ``split`` reads ``train2018.json``
    or ``val2018.json`` under ``data_root``."""

    SPLIT_FILES = dict(train='train2018.json', val='val2018.json')
    SIZES = dict(train=437513, val=24426)
    NUM_CLASSES = 8142


@DATASETS.register_module()
class INaturalist2017(INaturalist):
    """iNaturalist 2017 (5,089 classes): ``split`` reads ``train2017.json``
    or ``val2017.json`` under ``data_root``."""

    SPLIT_FILES = dict(train='train2017.json', val='val2017.json')
    SIZES = dict(train=579184, val=95986)
    NUM_CLASSES = 5089
