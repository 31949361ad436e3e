import numpy as np
import pytest

from mmbbn.datasets import DigitsLT, get_class_counts
from mmbbn.datasets.digits_lt import load_sklearn_digits


def test_default_split_counts():
    train, test = DigitsLT(), DigitsLT(split='test')
    assert get_class_counts(train).tolist() == [
        124, 88, 63, 45, 32, 23, 16, 12, 8, 6
    ]
    assert get_class_counts(test).tolist() == [50] * 10
    img = train.get_data_info(0)['img']
    assert img.shape == (8, 8) and img.dtype == np.uint8


def test_train_and_test_are_disjoint():
    images, _ = load_sklearn_digits()
    source = {}
    for i, img in enumerate(images):
        source.setdefault(img.tobytes(), set()).add(i)
    duplicates = sum(len(v) > 1 for v in source.values())

    def picked(ds):
        return {img for img in (ds.get_data_info(i)['img'].tobytes()
                                for i in range(len(ds)))}

    train, test = picked(DigitsLT()), picked(DigitsLT(split='test'))
    assert len(train) + duplicates >= 417
    # Only pixel-identical duplicates in the source can be in both.
    assert len(train & test) <= duplicates


def test_options_and_bad_values():
    assert len(DigitsLT(imbalance_factor=1)) == 1240
    with pytest.raises(ValueError, match='imbalance_factor=0 is below 1'):
        DigitsLT(imbalance_factor=0)
    with pytest.raises(ValueError, match='test_per_class=500'):
        DigitsLT(test_per_class=500)
