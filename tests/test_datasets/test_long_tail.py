import numpy as np
import pytest

from mmbbn.datasets import indices_digest, long_tail_counts, select_long_tail


def test_cifar10_ir100_counts_of_the_protocol():
    assert long_tail_counts(50000 / 10, 10, 100) == [
        5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50
    ]


@pytest.mark.parametrize('num_classes,imbalance,total', [
    (10, 100, 12406), (10, 50, 13996), (10, 10, 20431),
    (100, 100, 10847), (100, 50, 12608), (100, 10, 19573)
])
def test_totals_of_the_protocol(num_classes, imbalance, total):
    counts = long_tail_counts(50000 / num_classes, num_classes, imbalance)
    assert sum(counts) == total
    assert counts[0] == 50000 // num_classes
    assert counts[-1] == 50000 // num_classes // imbalance


def test_step_profile_and_no_imbalance():
    assert long_tail_counts(500.0, 4, 10, 'step') == [500, 500, 50, 50]
    assert long_tail_counts(500.0, 5, 1) == [500] * 5


def test_bad_profile_arguments():
    with pytest.raises(ValueError, match='imbalance_factor=0.5 is below 1'):
        long_tail_counts(5000.0, 10, 0.5)
    with pytest.raises(ValueError, match="profile='log'"):
        long_tail_counts(5000.0, 10, 10, 'log')


def ldam_reference(labels, counts, seed=0):
    """The LDAM-DRW / BBN generator, written as in their code: global
    NumPy seed once, then np.unique classes, shuffle, keep the first n."""
    np.random.seed(seed)
    targets = np.array(labels, dtype=np.int64)
    chosen = []
    for cls, n in zip(np.unique(targets), counts):
        idx = np.where(targets == cls)[0]
        np.random.shuffle(idx)
        chosen.append(idx[:n])
    return np.concatenate(chosen)


def test_shuffle_selection_equals_the_ldam_generator():
    rng = np.random.RandomState(3)
    labels = rng.permutation(np.repeat(np.arange(10), 300))
    counts = long_tail_counts(300.0, 10, 20)
    ours = select_long_tail(labels, counts, 'shuffle', seed=0)
    assert np.array_equal(ours, ldam_reference(labels, counts))
    assert np.array_equal(np.bincount(labels[ours]), counts)
    other = select_long_tail(labels, counts, 'shuffle', seed=1)
    assert not np.array_equal(ours, other)


def test_first_selection_keeps_file_order():
    labels = np.array([1, 0, 1, 0, 1, 0])
    assert select_long_tail(labels, [2, 1], 'first').tolist() == [1, 3, 0]


def test_too_few_items_and_bad_selection():
    with pytest.raises(ValueError, match='class 1 has 1 items'):
        select_long_tail(np.array([0, 0, 1]), [1, 2])
    with pytest.raises(ValueError, match="selection='random'"):
        select_long_tail(np.array([0]), [1], 'random')


def test_digest_is_short_and_order_sensitive():
    a = indices_digest(np.array([1, 2, 3]))
    assert len(a) == 8 and a == indices_digest(np.array([1, 2, 3]))
    assert a != indices_digest(np.array([3, 2, 1]))
