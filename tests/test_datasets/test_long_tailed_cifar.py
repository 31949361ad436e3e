import os
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest

from mmbbn.datasets import (CIFAR10LT, CIFAR100LT, get_class_counts,
                            long_tail_counts)
from .test_long_tail import ldam_reference


def first_pixel_index(img):
    """The synthetic files store the image index in the first pixel."""
    # RGB order: the red plane (stored first in the pickle) is channel 0.
    return int(img[0, 0, 0]) + 256 * int(img[0, 1, 0])


def load_labels(root):
    labels = []
    for b in range(1, 6):
        with open(osp.join(root, 'cifar-10-batches-py', f'data_batch_{b}'),
                  'rb') as f:
            labels.extend(pickle.load(f, encoding='latin1')['labels'])
    return labels


@pytest.mark.parametrize('imbalance,total', [(100, 12406), (50, 13996),
                                             (10, 20431)])
def test_cifar10_lt_counts_on_generated_pickles(cifar10_full, imbalance,
                                                total):
    ds = CIFAR10LT(
        data_root=cifar10_full, imbalance_factor=imbalance, check_md5=False)
    assert len(ds) == total
    counts = get_class_counts(ds)
    assert counts.tolist() == long_tail_counts(5000.0, 10, imbalance)
    assert ds.subset_counts == counts.tolist()


@pytest.mark.parametrize('imbalance,total', [(100, 10847), (50, 12608),
                                             (10, 19573)])
def test_cifar100_lt_counts_on_generated_pickles(cifar100_full, imbalance,
                                                 total):
    ds = CIFAR100LT(
        data_root=cifar100_full, imbalance_factor=imbalance,
        check_md5=False)
    assert len(ds) == total
    assert get_class_counts(ds)[[0, 99]].tolist() == [500, 500 // imbalance]


def test_chosen_images_are_those_of_the_ldam_generator(cifar10_full):
    ds = CIFAR10LT(data_root=cifar10_full, check_md5=False)
    labels = load_labels(cifar10_full)
    expected = ldam_reference(labels, long_tail_counts(5000.0, 10, 100))
    got = [first_pixel_index(ds.get_data_info(i)['img'])
           for i in range(0, len(ds), 97)]
    assert got == [int(i) for i in expected[::97]]


def test_images_are_rgb_like_mmpretrains_cifar10(cifar10_full):
    from mmpretrain.datasets import CIFAR10
    ours = CIFAR10LT(data_root=cifar10_full, check_md5=False,
                     imbalance_factor=1)
    img = ours.get_data_info(0)['img']
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    # Synthetic planes: green 50, blue 200 at pixel (0, 0).
    assert img[0, 0, 1] == 50 and img[0, 0, 2] == 200
    # IF 1 keeps every image: the parent's items, class by class.
    parent = CIFAR10(data_root=cifar10_full, download=False, lazy_init=True)
    parent._check_integrity = lambda: True  # the generated files' md5
    parent.full_init()
    index = first_pixel_index(img)
    assert np.array_equal(parent.get_data_info(index)['img'], img)


def test_test_split_is_whole_and_balanced(cifar10_full):
    ds = CIFAR10LT(data_root=cifar10_full, split='test', check_md5=False)
    assert len(ds) == 10000
    assert get_class_counts(ds).tolist() == [1000] * 10


def test_subset_is_logged_with_counts_and_digest(cifar10_full, mmlog):
    ds = CIFAR10LT(data_root=cifar10_full, check_md5=False, seed=0)
    ds2 = CIFAR10LT(data_root=cifar10_full, check_md5=False, seed=1)
    text = '\n'.join(mmlog)
    assert '[5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]' in text
    assert ds.subset_digest in text
    assert ds.subset_digest != ds2.subset_digest


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='data_batch_1'):
        CIFAR10LT(data_root=str(tmp_path), check_md5=False)


def test_md5_mismatch_names_the_file_and_the_switch(cifar10_full):
    with pytest.raises(ValueError, match=r'data_batch_1.*check_md5=False'):
        CIFAR10LT(data_root=cifar10_full)


def test_corrupt_pickle_names_the_file(cifar10_tiny, tmp_path):
    root = str(tmp_path / 'broken')
    shutil.copytree(cifar10_tiny, root)
    with open(osp.join(root, 'cifar-10-batches-py', 'data_batch_3'),
              'wb') as f:
        f.write(b'not a pickle')
    with pytest.raises(ValueError, match='data_batch_3: not a readable'):
        CIFAR10LT(data_root=root, check_md5=False)
    os.remove(osp.join(root, 'cifar-10-batches-py', 'data_batch_3'))
    with pytest.raises(FileNotFoundError, match='data_batch_3'):
        CIFAR10LT(data_root=root, check_md5=False)


def test_bad_arguments_fail_before_reading(tmp_path):
    with pytest.raises(ValueError, match='imbalance_factor=0.5 is below 1'):
        CIFAR10LT(data_root=str(tmp_path), imbalance_factor=0.5)
    with pytest.raises(ValueError, match="selection='x'"):
        CIFAR10LT(data_root=str(tmp_path), selection='x')
    with pytest.raises(ValueError, match="split='val'"):
        CIFAR10LT(data_root=str(tmp_path), split='val')


def test_first_n_and_step_options(cifar10_tiny):
    ds = CIFAR10LT(data_root=cifar10_tiny, check_md5=False,
                   imbalance_factor=4, profile='step', selection='first')
    assert get_class_counts(ds).tolist() == [40] * 5 + [10] * 5
