"""Every training draw carries a seed: a function of (seed, epoch, k)."""
from unittest import mock

import numpy as np
from mmengine.dataset import DefaultSampler

from mmbbn.datasets import (ClassAwareSampler, DualSampleDataset, DualSampler,
                            SeededDataset, SeededSampler)
from mmbbn.structures import Draw
from ..test_dual_sample import ToyDataset

LABELS = np.repeat(np.arange(3), [30, 12, 3]).tolist()


def build(cls, rank=0, world_size=1, seed=4, **kwargs):
    wrapper = DualSampleDataset if cls is DualSampler else SeededDataset
    with mock.patch('mmengine.dataset.sampler.get_dist_info',
                    return_value=(rank, world_size)):
        return cls(wrapper(ToyDataset(LABELS)), seed=seed, **kwargs)


def epoch_draws(sampler, epoch):
    sampler.set_epoch(epoch)
    return list(sampler)


def test_indices_are_mmengines_and_seeds_are_per_epoch_and_position():
    sampler = build(SeededSampler)
    plain = DefaultSampler(ToyDataset(LABELS), seed=4)
    for epoch in (0, 3):
        plain.set_epoch(epoch)
        draws = epoch_draws(sampler, epoch)
        assert all(isinstance(d, Draw) for d in draws)
        assert [d.index for d in draws] == list(plain)
        seeds = [d.seed for d in draws]
        assert len(set(seeds)) == len(seeds)  # every position its own
        assert all(0 <= s < 2**32 for s in seeds)
    seeds0 = [d.seed for d in epoch_draws(sampler, 0)]
    seeds1 = [d.seed for d in epoch_draws(sampler, 1)]
    assert not set(seeds0) & set(seeds1)
    # A rerun (a new sampler, as after a resume) draws the same.
    assert epoch_draws(build(SeededSampler), 1) == epoch_draws(sampler, 1)
    assert epoch_draws(build(SeededSampler, seed=5), 1) != epoch_draws(
        sampler, 1)


def test_unshuffled_items_still_get_new_seeds_each_epoch():
    sampler = build(SeededSampler, shuffle=False)
    first, second = epoch_draws(sampler, 0), epoch_draws(sampler, 1)
    assert [d.index for d in first] == [d.index for d in second]
    assert all(a.seed != b.seed for a, b in zip(first, second))


def test_halves_of_a_pair_have_their_own_seeds():
    pairs = epoch_draws(build(DualSampler), 2)
    conventional = [p.conventional for p in pairs]
    # The conventional half is exactly the plain training draw.
    assert conventional == epoch_draws(build(SeededSampler), 2)
    rebalancing = [p.rebalancing.seed for p in pairs]
    assert not set(rebalancing) & {d.seed for d in conventional}
    assert epoch_draws(build(DualSampler), 2) == pairs


def test_draws_of_all_ranks_interleave_into_the_single_process_draws():
    for cls in (SeededSampler, DualSampler, ClassAwareSampler):
        single = epoch_draws(build(cls), 1)
        for world_size in (2, 4):
            shares = [epoch_draws(build(cls, r, world_size), 1)
                      for r in range(world_size)]
            merged = [None] * (len(shares[0]) * world_size)
            for rank, share in enumerate(shares):
                merged[rank::world_size] = share
            # Round-up draws (when 45 does not divide) come after.
            assert merged[:len(single)] == single, (cls, world_size)
