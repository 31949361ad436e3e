from unittest import mock

import numpy as np
import pytest

from mmbbn.datasets import DualSampleDataset, DualSampler, rebalance_probs
from mmbbn.datasets.samplers import ClassIndex, epoch_rng
from mmbbn.structures import BranchPair, Draw
from ..test_dual_sample import ToyDataset

CIFAR10_IR100 = np.array([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50])


def make_sampler(labels, rank=0, world_size=1, **kwargs):
    with mock.patch('mmengine.dataset.sampler.get_dist_info',
                    return_value=(rank, world_size)):
        ds = DualSampleDataset(ToyDataset(labels))
        return DualSampler(ds, seed=kwargs.pop('seed', 7), **kwargs)


def long_tail_labels():
    return np.repeat(np.arange(3), [60, 25, 5])


def test_reversed_probabilities_of_the_paper():
    p = rebalance_probs(CIFAR10_IR100, 'reversed')
    w = CIFAR10_IR100.max() / CIFAR10_IR100
    assert np.allclose(p, w / w.sum())
    assert round(p[0], 3) == 0.004 and round(p[-1], 3) == 0.402


@pytest.mark.parametrize('name', ['reversed', 'balanced', 'uniform',
                                  'square-root'])
def test_class_frequencies_over_100k_draws_match_p(name):
    labels = np.repeat(np.arange(10), CIFAR10_IR100)
    index = ClassIndex(labels, 10)
    p = rebalance_probs(index.counts, name)
    draws = index.draw(epoch_rng(0, 0), p, 100_000)
    freq = np.bincount(labels[draws], minlength=10) / 100_000
    # 4 standard errors of a binomial proportion.
    assert np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / 100_000))
    expected = {
        'reversed': 1 / CIFAR10_IR100,
        'balanced': np.ones(10),
        'uniform': CIFAR10_IR100,
        'square-root': np.sqrt(CIFAR10_IR100)
    }[name]
    assert np.allclose(p, expected / expected.sum())


def test_items_within_a_class_are_drawn_uniformly():
    labels = np.array([0, 1, 0, 1, 0])
    index = ClassIndex(labels, 2)
    draws = index.draw(epoch_rng(1, 0), np.array([1.0, 0.0]), 30_000)
    assert set(draws.tolist()) == {0, 2, 4}
    assert np.allclose(np.bincount(draws, minlength=5)[[0, 2, 4]] / 30_000,
                       1 / 3, atol=0.015)
    assert index.items_of(1).tolist() == [1, 3]


def test_pairs_are_reproducible_and_change_with_epoch():
    a = list(make_sampler(long_tail_labels()))
    b = list(make_sampler(long_tail_labels()))
    assert a == b and len(a) == 90
    assert all(isinstance(p, BranchPair) and isinstance(p.conventional, Draw)
               and isinstance(p.rebalancing, Draw) for p in a)
    assert all(isinstance(i, int) for p in a
               for i in (*p.conventional, *p.rebalancing))
    s = make_sampler(long_tail_labels())
    s.set_epoch(1)
    assert list(s) != a
    assert list(make_sampler(long_tail_labels(), seed=8)) != a


def test_uniform_half_is_a_permutation_and_draws_are_rebalanced():
    labels = long_tail_labels()
    pairs = list(make_sampler(labels))
    assert sorted(p.conventional.index for p in pairs) == list(range(90))
    sampler = make_sampler(labels)
    draws = np.concatenate([
        sampler.rebalanced_indices()
        for sampler.epoch in range(200)  # noqa: B020
    ])
    freq = np.bincount(labels[draws], minlength=3) / len(draws)
    assert np.allclose(freq, rebalance_probs(np.array([60, 25, 5]),
                                             'reversed'), atol=0.01)


def test_ranks_split_the_uniform_half_and_draw_differently():
    labels = long_tail_labels()
    r0 = list(make_sampler(labels, rank=0, world_size=2))
    r1 = list(make_sampler(labels, rank=1, world_size=2))
    assert len(r0) == len(r1) == 45
    assert not ({p.conventional.index for p in r0}
                & {p.conventional.index for p in r1})
    assert ([p.rebalancing.index for p in r0]
            != [p.rebalancing.index for p in r1])
    # The pairs of all ranks together do not depend on the rank count.
    single = list(make_sampler(labels))
    interleaved = [p for pair in zip(r0, r1) for p in pair]
    assert interleaved == single


def test_empty_classes_are_skipped_with_a_named_warning(mmlog):
    labels = np.array([0, 0, 0, 2])  # class 'b' has no images
    sampler = make_sampler(labels)
    text = '\n'.join(mmlog)
    assert 'b (1)' in text and 'left out' in text
    assert sampler.class_probs()[1] == 0
    assert np.isfinite(sampler.class_probs()).all()
    sampler_draws = np.concatenate([sampler.rebalanced_indices()
                                    for sampler.epoch in range(50)])
    assert 1 not in set(labels[sampler_draws].tolist())


def test_bad_inputs_fail_clearly():
    with pytest.raises(ValueError, match="rebalance='inverse'"):
        make_sampler(long_tail_labels(), rebalance='inverse')
    with mock.patch('mmengine.dataset.sampler.get_dist_info',
                    return_value=(0, 1)):
        with pytest.raises(TypeError, match='DualSampleDataset'):
            DualSampler(ToyDataset([0, 1]), seed=0)


def test_class_index_is_fast_at_inaturalist_scale():
    labels = np.random.default_rng(0).integers(0, 8142, 437_513)
    index = ClassIndex(labels, 8142)
    assert index.counts.sum() == 437_513
    order = index.order
    assert np.all(np.diff(labels[order]) >= 0)
    # Stable: items of a class keep data set order.
    assert np.all(np.diff(index.items_of(5)) > 0)
