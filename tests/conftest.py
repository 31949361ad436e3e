"""Shared fixtures: small files in the real formats, made by the tests."""
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
