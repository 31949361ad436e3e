"""Shared fixtures: small files in the real formats, made by the tests."""
import json
import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs')
TOOLS = osp.join(REPO, 'tools')


def write_cifar(root: str,
                num_classes: int = 10,
                train_per_class: int = 5000,
                test_per_class: int = 1000,
                seed: int = 0) -> str:
    """Write CIFAR-10 or CIFAR-100 pickles in the release's layout.

    Labels are shuffled (as in the real files); every image's first pixel
    stores its index in the split, so a test can tell which were chosen.

    Args:
        root (str): The data root.
        num_classes (int): 10 (cifar-10-batches-py) or 100
            (cifar-100-python).
        train_per_class (int): Training images per class.
        test_per_class (int): Test images per class.
        seed (int): Seed of the label order.

    Returns:
        str: ``root``.
    """
    rng = np.random.RandomState(seed)

    def split(per_class):
        labels = np.repeat(np.arange(num_classes), per_class)
        rng.shuffle(labels)
        data = np.zeros((len(labels), 3072), dtype=np.uint8)
        idx = np.arange(len(labels))
        data[:, 0] = idx % 256
        data[:, 1] = (idx // 256) % 256
        data[:, 1024] = 50  # green plane
        data[:, 2048] = 200  # blue plane
        return data, labels.tolist()

    def dump(path, data, labels, key):
        with open(path, 'wb') as f:
            pickle.dump({'data': data, key: labels,
                         'batch_label': 'synthetic'}, f)

    train, test = split(train_per_class), split(test_per_class)
    if num_classes == 10:
        folder = osp.join(root, 'cifar-10-batches-py')
        os.makedirs(folder, exist_ok=True)
        parts = np.array_split(np.arange(len(train[1])), 5)
        for b, part in enumerate(parts):
            dump(osp.join(folder, f'data_batch_{b + 1}'), train[0][part],
                 [train[1][i] for i in part], 'labels')
        dump(osp.join(folder, 'test_batch'), *test, 'labels')
        meta = {'label_names': [f'c{i}' for i in range(10)]}
        meta_name = 'batches.meta'
    else:
        folder = osp.join(root, 'cifar-100-python')
        os.makedirs(folder, exist_ok=True)
        dump(osp.join(folder, 'train'), *train, 'fine_labels')
        dump(osp.join(folder, 'test'), *test, 'fine_labels')
        meta = {'fine_label_names': [f'c{i}' for i in range(100)]}
        meta_name = 'meta'
    with open(osp.join(folder, meta_name), 'wb') as f:
        pickle.dump(meta, f)
    return root


@pytest.fixture(scope='session')
def cifar10_full(tmp_path_factory):
    """Full-size CIFAR-10 pickles (50,000 / 10,000 images)."""
    return write_cifar(str(tmp_path_factory.mktemp('cifar10_full')), 10)


@pytest.fixture(scope='session')
def cifar100_full(tmp_path_factory):
    """Full-size CIFAR-100 pickles (50,000 / 10,000 images)."""
    return write_cifar(
        str(tmp_path_factory.mktemp('cifar100_full')), 100, 500, 100)


@pytest.fixture(scope='session')
def cifar10_tiny(tmp_path_factory):
    """Tiny CIFAR-10 pickles: 40 training and 6 test images per class."""
    return write_cifar(
        str(tmp_path_factory.mktemp('cifar10_tiny')), 10, 40, 6)


@pytest.fixture
def python():
    """The interpreter running the tests (for tool subprocesses)."""
    return sys.executable


@pytest.fixture
def mmlog():
    """Messages sent to MMEngine's current logger during a test."""
    import logging

    from mmengine.logging import MMLogger

    messages = []

    class Collect(logging.Handler):

        def emit(self, record):
            messages.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    handler = Collect(level=logging.DEBUG)
    logger.addHandler(handler)
    yield messages
    logger.removeHandler(handler)


def write_image(path: str, size: tuple = (12, 10), seed: int = 0) -> str:
    """Write a tiny real image (JPEG or PNG by extension) with PIL.

    Args:
        path (str): The file; folders are created.
        size (tuple): ``(width, height)``.
        seed (int): Seed of the pixels.

    Returns:
        str: ``path``.
    """
    from PIL import Image
    os.makedirs(osp.dirname(path), exist_ok=True)
    pixels = np.random.default_rng(seed).integers(
        0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    return path


def write_inat(root: str,
               counts,
               name: str = 'train2018.json',
               fmt: str = 'coco',
               images: bool = True,
               seed: int = 0) -> dict:
    """Write an iNaturalist annotation file (and its JPEGs) in a real format.

    ``coco``: the official competition layout (``images`` with ``id`` /
    ``file_name``, ``annotations`` with ``image_id`` / ``category_id``,
    ``categories``); image ids are shuffled and annotations listed in
    another order than images, as nothing promises otherwise. ``bbn``:
    the official BBN code's converted layout (``annotations`` with
    ``image_id`` / ``fpath`` / ``im_height`` / ``im_width`` /
    ``category_id``, and ``num_classes``).

    Args:
        root (str): The data root.
        counts (Sequence[int]): Images per class.
        name (str): Annotation file name.
        fmt (str): ``'coco'`` or ``'bbn'``.
        images (bool): Also write the (tiny JPEG) images.
        seed (int): Seed of ids and orders.

    Returns:
        dict: ``ann_file``, ``labels`` (in file order of the items),
        ``files`` (relative paths, same order) and ``doc`` (the JSON).
    """
    rng = np.random.RandomState(seed)
    labels = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    ids = rng.permutation(len(labels)) * 3 + 100
    files = [f'train_val2018/Plantae/{c}/{i:06d}.jpg'
             for i, c in zip(ids, labels)]
    if fmt == 'coco':
        order = rng.permutation(len(labels))
        doc = dict(
            info=dict(year=2018),
            images=[dict(id=int(i), width=12, height=10, file_name=f,
                         license=1, rights_holder='x')
                    for i, f in zip(ids, files)],
            annotations=[dict(id=int(k), image_id=int(ids[k]),
                              category_id=int(labels[k])) for k in order],
            categories=[dict(id=int(c), name=f'species_{c}',
                             supercategory='Plantae')
                        for c in rng.permutation(len(counts))],
            licenses=[])
    else:
        doc = dict(
            annotations=[dict(image_id=int(i), fpath=f, im_height=10,
                              im_width=12, category_id=int(c))
                         for i, f, c in zip(ids, files, labels)],
            num_classes=len(counts))
    os.makedirs(root, exist_ok=True)
    ann_file = osp.join(root, name)
    with open(ann_file, 'w') as f:
        json.dump(doc, f)
    if images:
        for k, f in enumerate(files):
            write_image(osp.join(root, f), seed=k)
    return dict(ann_file=ann_file, labels=labels, files=files, doc=doc)


def write_image_list(root: str, name: str, counts, folder: str = 'train',
                     images: bool = False, ext: str = 'JPEG',
                     leading_slash: bool = False, seed: int = 0) -> dict:
    """Write a ``path label`` list (ImageNet-LT / Places-LT layout).

    Args:
        root (str): Where the list (and images) go.
        name (str): List file name.
        counts (Sequence[int]): Images per class.
        folder (str): First folder of every path (``train``, ``val``).
        images (bool): Also write the images (tiny, by ``ext``).
        ext (str): Image extension.
        leading_slash (bool): Start paths with ``/`` (Places365 style).
        seed (int): Seed of the line order.

    Returns:
        dict: ``ann_file``, ``labels`` and ``files`` in line order.
    """
    rng = np.random.RandomState(seed)
    labels = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    files = [f'{folder}/c{c:04d}/img_{k:05d}.{ext}'
             for k, c in enumerate(labels)]
    lead = '/' if leading_slash else ''
    os.makedirs(root, exist_ok=True)
    ann_file = osp.join(root, name)
    with open(ann_file, 'w') as f:
        f.writelines(f'{lead}{p} {c}\n' for p, c in zip(files, labels))
    if images:
        for k, p in enumerate(files):
            write_image(osp.join(root, p), seed=k)
    return dict(ann_file=ann_file, labels=labels, files=files)


def one_line_error(excinfo) -> str:
    """The message of a raised error, checked to be one line."""
    message = str(excinfo.value)
    assert '\n' not in message, message
    return message
