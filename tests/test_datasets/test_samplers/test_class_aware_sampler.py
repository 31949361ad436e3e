from unittest import mock

import numpy as np
import pytest
from mmengine.dataset import DefaultSampler

from mmbbn.datasets import ClassAwareSampler, SeededDataset, progressive_probs
from mmbbn.structures import Draw
from ..test_dual_sample import ToyDataset

COUNTS = np.array([600, 250, 100, 40, 10])


class ManyClassToy(ToyDataset):
    METAINFO = {'classes': tuple('abcdef')}

    def load_data_list(self):
        return [dict(img=np.zeros((2, 2), np.uint8), gt_label=int(y))
                for y in self._labels]


def toy(counts=COUNTS, shuffle_labels=True):
    labels = np.repeat(np.arange(len(counts)), counts)
    if shuffle_labels:
        np.random.default_rng(0).shuffle(labels)
    return ManyClassToy(labels.tolist()), labels


def make(dataset, rank=0, world_size=1, seed=3, **kwargs):
    with mock.patch('mmengine.dataset.sampler.get_dist_info',
                    return_value=(rank, world_size)):
        return ClassAwareSampler(SeededDataset(dataset), seed=seed,
                                 **kwargs)


def draws_over_epochs(sampler, labels, epochs):
    out = []
    for epoch in epochs:
        sampler.set_epoch(epoch)
        out.append(labels[[d.index for d in sampler]])
    return np.concatenate(out)


def within_4_se(freq, p, n):
    return np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / n) + 1e-12)


@pytest.mark.parametrize('mode,weights', [
    ('balanced', np.ones(6)),
    ('square-root', np.sqrt(np.append(COUNTS, 0))),
    ('reversed', np.append(600 / COUNTS, 0)),
    ('uniform', np.append(COUNTS, 0)),
])
def test_class_frequencies_over_many_draws_follow_the_formula(
        mode, weights):
    ds, labels = toy()
    sampler = make(ds, rebalance=mode)
    drawn = draws_over_epochs(sampler, labels, range(100))
    n = len(drawn)
    assert n == 100 * 1000
    freq = np.bincount(drawn, minlength=6) / n
    # Class 5 ('f') has no items: it is never drawn.
    p = np.where(np.arange(6) < 5, weights, 0)
    p = p / p.sum()
    assert freq[5] == 0
    assert within_4_se(freq, p, n)
    assert np.allclose(sampler.class_probs(), p)


def test_progressive_probabilities_move_from_instance_to_class_balanced():
    ds, labels = toy()
    sampler = make(ds, rebalance='progressive', total_epochs=10)
    ib = np.append(COUNTS / COUNTS.sum(), 0)
    cb = np.append(np.full(5, 0.2), 0)
    for t in (0, 3, 7, 10, 12):
        sampler.set_epoch(t)
        a = min(t / 10, 1.0)
        assert np.allclose(sampler.class_probs(), (1 - a) * ib + a * cb)
    assert np.allclose(progressive_probs(COUNTS, 0.25),
                       0.75 * ib[:5] + 0.25 * cb[:5])
    # Draws at epoch 7 of 10 (60 seeds x 1000 draws) follow 0.3 IB + 0.7 CB.
    many = []
    for seed in range(60):
        s = make(ds, rebalance='progressive', total_epochs=10, seed=seed)
        many.append(draws_over_epochs(s, labels, [7]))
    many = np.concatenate(many)
    freq = np.bincount(many, minlength=6) / len(many)
    assert within_4_se(freq, 0.3 * ib + 0.7 * cb, len(many))


def test_progressive_needs_a_total_outside_a_runner():
    from mmengine.logging import MessageHub
    MessageHub.get_instance('class_aware_sampler_test')
    ds, _ = toy()
    sampler = make(ds, rebalance='progressive')
    with pytest.raises(RuntimeError, match='needs total_epochs'):
        list(sampler)
    hub = MessageHub.get_instance('class_aware_sampler_test_2')
    hub.update_info('max_epochs', 4)
    sampler.set_epoch(2)
    assert np.allclose(sampler.class_probs(),
                       np.append(progressive_probs(COUNTS, 0.5), 0))


def test_items_within_a_class_are_uniform():
    ds, labels = toy(np.array([3, 1000]), shuffle_labels=False)
    sampler = make(ds, rebalance='balanced')
    drawn = np.concatenate([
        np.array([d.index for d in sampler])
        for sampler.epoch in range(60)  # noqa: B020
    ])
    small = drawn[drawn < 3]
    assert np.allclose(np.bincount(small, minlength=3) / len(small), 1 / 3,
                       atol=0.02)


def test_reproducible_and_different_per_epoch_and_seed():
    ds, _ = toy()
    a = list(make(ds))
    assert a == list(make(ds)) and len(a) == 1000
    assert all(isinstance(d, Draw) and isinstance(d.index, int)
               and isinstance(d.seed, int) for d in a)
    s = make(ds)
    s.set_epoch(1)
    assert list(s) != a
    assert list(make(ds, seed=4)) != a


@pytest.mark.parametrize('mode', ['balanced', 'progressive'])
def test_rank_shares_are_disjoint_parts_of_one_global_draw(mode):
    ds, _ = toy()
    single = make(ds, rebalance=mode, total_epochs=5)
    single.set_epoch(2)
    global_draw = list(single)
    for world_size in (2, 3, 7):
        shares = []
        for rank in range(world_size):
            s = make(ds, rank, world_size, rebalance=mode, total_epochs=5)
            s.set_epoch(2)
            shares.append(list(s))
            assert len(shares[-1]) == len(s) == -(-1000 // world_size)
        # Rank r holds positions r, r + W, ...: interleave them back.
        merged = [None] * (len(shares[0]) * world_size)
        for rank, share in enumerate(shares):
            merged[rank::world_size] = share
        # The same global sequence whatever the world size (the extra
        # round-up draws come after it).
        assert merged[:1000] == global_draw


def test_shuffle_mode_is_mmengines_default_sampler():
    ds, _ = toy()
    with mock.patch('mmengine.dataset.sampler.get_dist_info',
                    return_value=(1, 3)):
        ours = ClassAwareSampler(SeededDataset(ds), rebalance='shuffle',
                                 seed=5)
        plain = DefaultSampler(ds, seed=5)
    for epoch in (0, 4):
        ours.set_epoch(epoch)
        plain.set_epoch(epoch)
        assert [d.index for d in ours] == list(plain)
    ours.set_rebalance('balanced')
    assert [d.index for d in ours] != list(plain)
    assert len(ours) == len(plain)


def test_dataset_without_labels_is_one_clear_line():

    class NoLabels:
        metainfo = {}

        def __len__(self):
            return 4

    with pytest.raises(ValueError) as e:
        make(NoLabels())
    message = str(e.value)
    assert message == ('ClassAwareSampler: NoLabels: has no get_gt_labels(),'
                       ' so it has no class labels to count or re-balance')


def test_bad_modes_and_totals_are_refused():
    ds, _ = toy()
    with pytest.raises(TypeError) as e:
        ClassAwareSampler(ds, seed=0)
    assert str(e.value) == (
        'ClassAwareSampler: dataset ManyClassToy cannot resolve its draws; '
        "wrap it: dataset=dict(type='SeededDataset', dataset=...)")
    with pytest.raises(ValueError, match="rebalance='inverse' is not one"):
        make(ds, rebalance='inverse')
    with pytest.raises(ValueError, match='total_epochs=0'):
        make(ds, total_epochs=0)
    s = make(ds)
    with pytest.raises(ValueError, match="rebalance='x'"):
        s.set_rebalance('x')


def test_empty_classes_are_named_in_a_warning(mmlog):
    ds, _ = toy()
    make(ds)
    assert any("1 class(es) have no training images" in m and 'f (5)' in m
               for m in mmlog)
