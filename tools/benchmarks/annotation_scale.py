"""Time and memory of loading an iNaturalist-2018-sized annotation file.

Generates a COCO-style (official iNaturalist) or BBN-style annotation
JSON of iNaturalist 2018's size (437,513 images, 8,142 classes, a
long-tailed profile from 1,000 down to 2 images per class) in a temporary
folder, then measures, with the lazy path only (no image is read):

- ``load``: ``INaturalist`` reads and checks the file into MMEngine's
  serialised items (and its int64 label array),
- ``labels``: ``get_gt_labels()``,
- ``counts``: ``get_class_counts()``,
- ``class_index``: building ``ClassIndex`` (what ``DualSampler`` does).

The same items, written as a ``path label`` list, then go through plain
MMPretrain ``CustomDataset`` in the same run (``load`` and its
``get_gt_labels()``, which unpickles every item), for comparison.

Peak memory is the traced Python/NumPy allocation peak of a second,
traced pass over the same phases (tracing slows them, so times come from
the first pass); ``bytes_per_item`` is what the loaded data set keeps
(MMEngine's item buffer and offsets, plus the label array for mmbbn's).
Prints ONE line and writes a JSON.

Usage:
    python tools/benchmarks/annotation_scale.py [--format coco|bbn]
        [--items 437513] [--classes 8142] [--out annotation_scale.json]
"""
import argparse
import gc
import json
import os
import os.path as osp
import platform
import tempfile
import time
import tracemalloc
from typing import Callable, Dict, List, Optional

import numpy as np


def long_tailed_counts(items: int, classes: int, head: int = 1000,
                       tail: int = 2) -> np.ndarray:
    """Per-class counts from ``head`` down to ``tail`` summing to ``items``.

    ``n(x) = tail + (head - tail) * exp(-k x)`` over ``x`` in [0, 1], with
    ``k`` found by bisection, then rounded and corrected on the head
    classes so the total is exact.

    Args:
        items (int): Total images.
        classes (int): Number of classes.
        head (int): Images of the largest class.
        tail (int): Images of the smallest class.

    Returns:
        np.ndarray: int64 counts, largest first.
    """
    if not tail * classes <= items <= head * classes:
        raise ValueError(f'{items} items cannot fill {classes} classes of '
                         f'{tail}..{head} images')
    x = np.linspace(0.0, 1.0, classes)

    def total(k: float) -> float:
        return float(np.sum(tail + (head - tail) * np.exp(-k * x)))

    low, high = 0.0, 1000.0
    for _ in range(200):
        mid = (low + high) / 2
        if total(mid) > items:
            low = mid
        else:
            high = mid
    counts = np.rint(tail + (head - tail) * np.exp(-high * x)).astype(
        np.int64)
    counts[0] = head
    residue = items - int(counts.sum())
    step = 1 if residue > 0 else -1
    i = 1
    while residue:
        room = head - counts[i] if step > 0 else counts[i] - tail
        if room > 0:
            counts[i] += step
            residue -= step
        i = i % (classes - 1) + 1
    return counts


def write_annotation(path: str, items: int, classes: int, fmt: str,
                     seed: int = 0) -> None:
    """Write an iNaturalist-2018-like annotation file.

    Args:
        path (str): Output JSON.
        items (int): Images.
        classes (int): Classes.
        fmt (str): ``'coco'`` (official fields, incl. license and rights
            holder) or ``'bbn'`` (the BBN code's converted form).
        seed (int): Seed of the image order and names.
    """
    rng = np.random.default_rng(seed)
    counts = long_tailed_counts(items, classes)
    labels = rng.permutation(np.repeat(np.arange(classes), counts))
    supers = ('Plantae', 'Insecta', 'Aves', 'Reptilia', 'Mammalia', 'Fungi')
    hashes = rng.integers(0, 2**62, size=items, dtype=np.int64).tolist()
    files = [
        f'train_val2018/{supers[c % len(supers)]}/{c}/{h:016x}{i:016x}.jpg'
        for i, (c, h) in enumerate(zip(labels.tolist(), hashes))
    ]
    if fmt == 'coco':
        doc = dict(
            info=dict(year=2018, version='1.0', description='generated'),
            images=[
                dict(id=i, width=800, height=600, file_name=f, license=3,
                     rights_holder='someone') for i, f in enumerate(files)
            ],
            annotations=[
                dict(id=i, image_id=i, category_id=c)
                for i, c in enumerate(labels.tolist())
            ],
            categories=[{
                'id': c, 'name': f'{c}', 'supercategory': supers[c % 6],
                'kingdom': 'k', 'phylum': 'p', 'class': 'c', 'order': 'o',
                'family': 'f', 'genus': 'g'
            } for c in range(classes)],
            licenses=[dict(id=3, name='CC BY-NC', url='http://x')])
    else:
        doc = dict(
            annotations=[
                dict(image_id=i, fpath='/data/inat2018/' + f,
                     im_height=600, im_width=800, category_id=c)
                for i, (f, c) in enumerate(zip(files, labels.tolist()))
            ],
            num_classes=classes)
    with open(path, 'w') as f:
        json.dump(doc, f)


def kept_bytes(dataset) -> int:
    """Bytes a loaded data set keeps per its items.

    MMEngine's pickled item buffer and offsets, and mmbbn's label array
    where there is one.
    """
    labels = getattr(dataset, '_gt_labels', None)
    return (dataset.data_bytes.nbytes + dataset.data_address.nbytes +
            (labels.nbytes if labels is not None else 0))


def run_phases(load: Callable) -> Dict[str, float]:
    """Load a data set and build labels, counts and the class index.

    Args:
        load (Callable): Builds the data set.

    Returns:
        dict: Seconds per phase, plus what was built (under ``_``).
    """
    from mmbbn.datasets import ClassIndex, get_class_counts, get_gt_labels
    times: Dict[str, float] = {}

    def timed(name: str, fn: Callable):
        start = time.perf_counter()
        value = fn()
        times[name] = time.perf_counter() - start
        return value

    dataset = timed('load', load)
    labels = timed('labels', lambda: get_gt_labels(dataset))
    counts = timed('counts', lambda: get_class_counts(dataset))
    index = timed('class_index', lambda: ClassIndex(labels, len(counts)))
    times['_'] = dict(dataset=dataset, labels=labels, counts=counts,
                      index=index)  # type: ignore
    return times


def inaturalist(ann_file: str) -> Callable:
    """mmbbn's ``INaturalist`` on the generated file."""
    from mmbbn.datasets import INaturalist
    return lambda: INaturalist(
        ann_file=ann_file, pipeline=[dict(type='LoadImageFromFile')])


def custom_dataset(list_file: str, classes: int) -> Callable:
    """Plain MMPretrain ``CustomDataset`` on the same items as a list."""
    from mmpretrain.datasets import CustomDataset
    return lambda: CustomDataset(
        ann_file=list_file, with_label=True,
        classes=[str(c) for c in range(classes)],
        pipeline=[dict(type='LoadImageFromFile')])


def write_list(ann_file: str, list_file: str) -> None:
    """The generated file's items as a ``path label`` list."""
    from mmbbn.datasets import INaturalist
    dataset = INaturalist(ann_file=ann_file, serialize_data=False)
    with open(list_file, 'w') as f:
        f.writelines(f"{d['img_path']} {d['gt_label']}\n"
                     for d in dataset.data_list)


def traced_peak(load: Callable) -> Dict[str, float]:
    """Peak and retained traced memory of the same phases.

    Args:
        load (Callable): Builds the data set.

    Returns:
        dict: ``peak_mb`` and ``retained_bytes`` (held by what was built).
    """
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = run_phases(load)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return dict(peak_mb=(peak - base) / 2**20,
                retained_bytes=float(current - base))


def measure(load: Callable, items: int, classes: int) -> dict:
    """Times, memory and kept bytes of one data set's phases."""
    gc.collect()
    times = run_phases(load)
    built = times.pop('_')
    dataset = built['dataset']
    assert len(dataset) == items
    assert int(built['counts'].sum()) == items
    assert len(built['counts']) == classes
    kept = kept_bytes(dataset)
    del built, dataset
    memory = traced_peak(load)
    return dict(
        **{f'{k}_s': round(v, 3) for k, v in times.items()},
        total_s=round(sum(times.values()), 3),
        peak_traced_mb=round(memory['peak_mb'], 1),
        peak_bytes_per_item=round(memory['peak_mb'] * 2**20 / items),
        bytes_per_item=round(kept / items, 1),
        retained_bytes_per_item=round(memory['retained_bytes'] / items, 1))


def main(argv: Optional[List[str]] = None) -> dict:
    """Generate, measure, print one line, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--format', choices=['coco', 'bbn'], default='coco')
    parser.add_argument('--items', type=int, default=437513)
    parser.add_argument('--classes', type=int, default=8142)
    parser.add_argument('--out', default='annotation_scale.json')
    parser.add_argument(
        '--no-custom-dataset',
        action='store_true',
        help='skip the MMPretrain CustomDataset comparison')
    args = parser.parse_args(argv)

    # Silence the info lines of the data set; keep the one summary line.
    from mmengine.logging import MMLogger
    if not MMLogger.check_instance_created('annotation_scale'):
        MMLogger.get_instance('annotation_scale', log_level='WARNING')

    with tempfile.TemporaryDirectory() as tmp:
        ann_file = osp.join(tmp, f'train2018_{args.format}.json')
        start = time.perf_counter()
        write_annotation(ann_file, args.items, args.classes, args.format)
        generate_s = time.perf_counter() - start
        file_mb = os.path.getsize(ann_file) / 2**20
        ours = measure(inaturalist(ann_file), args.items, args.classes)
        custom = None
        if not args.no_custom_dataset:
            list_file = osp.join(tmp, 'train2018.txt')
            write_list(ann_file, list_file)
            custom = measure(custom_dataset(list_file, args.classes),
                             args.items, args.classes)

    result = dict(
        format=args.format,
        items=args.items,
        classes=args.classes,
        file_mb=round(file_mb, 1),
        generate_s=round(generate_s, 2),
        **ours,
        mmpretrain_custom_dataset=custom,
        machine=f'{platform.machine()}, {os.cpu_count()} CPUs, Python '
        f'{platform.python_version()}',
    )
    print(f"annotation_scale {result['format']}: {args.items} items / "
          f"{args.classes} classes ({result['file_mb']} MB JSON): "
          f"load {result['load_s']} s, labels {result['labels_s']} s, "
          f"counts {result['counts_s']} s, class_index "
          f"{result['class_index_s']} s (total {result['total_s']} s); "
          f"peak {result['peak_traced_mb']} MB "
          f"({result['peak_bytes_per_item']} B/item); dataset keeps "
          f"{result['bytes_per_item']} B/item" +
          ('' if custom is None else
           f"; MMPretrain CustomDataset: load {custom['load_s']} s, "
           f"labels {custom['labels_s']} s (total {custom['total_s']} s), "
           f"peak {custom['peak_traced_mb']} MB, keeps "
           f"{custom['bytes_per_item']} B/item"))
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
    return result


if __name__ == '__main__':
    main()
