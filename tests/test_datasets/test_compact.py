"""Packed strings and index arguments of the compact data sets."""
import pickle

import numpy as np
import pytest

from mmbbn.datasets import PackedStrings
from mmbbn.datasets.compact import resolve_indices


def test_packed_strings_round_trip_and_take():
    words = ['train/a.jpg', '', 'Plantae/Ærø ü/ß.jpg', 'x' * 300]
    packed = PackedStrings(words)
    assert len(packed) == 4
    assert [packed[i] for i in range(4)] == words
    taken = packed.take(np.array([3, 2, 2, 0]))
    assert [taken[i] for i in range(4)] == [words[3], words[2], words[2],
                                            words[0]]
    assert len(packed.take(np.zeros(0, np.int64))) == 0
    copy = pickle.loads(pickle.dumps(packed))
    assert [copy[i] for i in range(4)] == words
    encoded = sum(len(w.encode()) for w in words)
    assert packed.nbytes == encoded + 5 * 8


def test_pickled_size_grows_with_bytes_not_objects():
    paths = [f'train_val2018/Aves/{i % 97}/{i:032x}.jpg' for i in range(5000)]
    packed = PackedStrings(paths)
    size = len(pickle.dumps(packed))
    payload = sum(map(len, paths)) + 8 * 5001
    assert payload <= size < payload + 1000


def test_indices_follow_mmengine_semantics():
    assert resolve_indices(3, 5, 'X').tolist() == [0, 1, 2]
    assert resolve_indices(-2, 5, 'X').tolist() == [3, 4]
    assert resolve_indices([4, -1, 0], 5, 'X').tolist() == [4, 4, 0]
    with pytest.raises(ValueError, match='X: index 5 in indices is outside '
                       'its 5 items'):
        resolve_indices([5], 5, 'X')
    with pytest.raises(ValueError, match='indices=6'):
        resolve_indices(6, 5, 'X')
