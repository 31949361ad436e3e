"""Seeded batch crop and flip against the per-item pipeline they replace."""
from unittest import mock

import numpy as np
import pytest
import torch
from mmpretrain.datasets.transforms import RandomCrop, RandomFlip

from mmbbn.models.data_preprocessors import (BatchRandomCrop,
                                             BatchRandomFlip, crop_at,
                                             hash32, random_words)
from mmbbn.registry import BATCH_AUGMENTS

# chi2 quantiles at 1 - 1e-6 (scipy.stats.chi2.ppf): a correct generator
# exceeds them once in a million seed sets; these tests use fixed seeds.
CHI2_80 = 155.08
CHI2_161 = 261.10


def chi2(counts: torch.Tensor) -> float:
    expected = counts.sum().item() / counts.numel()
    return float(((counts.double() - expected)**2 / expected).sum())


def seed_sets():
    """Consecutive seeds (the hardest case for a hash) and wide ones."""
    g = torch.Generator().manual_seed(0)
    return [
        torch.arange(81 * 500, dtype=torch.int64),
        torch.randint(-2**62, 2**62, (81 * 500, ), generator=g),
    ]


def reference_hash32(x: int) -> int:
    """The same hash in plain Python uint32 arithmetic."""
    m = 0xFFFFFFFF
    x &= m
    x ^= x >> 16
    x = (x * 0x7FEB352D) & m
    x ^= x >> 15
    x = (x * 0x846CA68B) & m
    return x ^ (x >> 16)


def test_hash_equals_uint32_arithmetic_without_overflow():
    values = [0, 1, 2, 12345, 2**31 - 1, 2**31, 2**32 - 1, 0xDEADBEEF]
    got = hash32(torch.tensor(values, dtype=torch.int64)).tolist()
    assert got == [reference_hash32(v) for v in values]
    assert all(0 <= v < 2**32 for v in got)


def test_words_depend_on_every_part_of_the_seed_and_stream():
    seeds = torch.tensor([5, 5 + 2**32, -5, 7], dtype=torch.int64)
    words = random_words(seeds, 1, 3)
    assert words.shape == (4, 3)
    assert len({tuple(r) for r in words.tolist()}) == 4  # high bits count
    assert not torch.equal(words, random_words(seeds, 2, 3))


@pytest.mark.parametrize('seeds', seed_sets())
def test_crop_offsets_are_uniform_over_the_81_positions(seeds):
    top, left = BatchRandomCrop(32, padding=4).offsets(seeds, 40, 40)
    assert top.min() == 0 and top.max() == 8 and left.max() == 8
    counts = torch.bincount(top * 9 + left, minlength=81)
    assert counts.numel() == 81 and counts.min() > 0
    assert chi2(counts) < CHI2_80


@pytest.mark.parametrize('seeds', seed_sets())
def test_half_the_items_are_flipped_independently_of_their_crop(seeds):
    flips = BatchRandomFlip(prob=0.5).flips(seeds)
    n = len(seeds)
    # Binomial(n, 1/2): standard deviation sqrt(n) / 2; 5 of them.
    assert abs(int(flips.sum()) - n / 2) < 5 * n**0.5 / 2
    top, left = BatchRandomCrop(32, padding=4).offsets(seeds, 40, 40)
    joint = torch.bincount((top * 9 + left) * 2 + flips.long(),
                           minlength=162)
    assert chi2(joint) < CHI2_161


def test_flip_probability_is_the_configured_one():
    seeds = torch.arange(40000, dtype=torch.int64)
    rate = BatchRandomFlip(prob=0.2).flips(seeds).float().mean().item()
    assert abs(rate - 0.2) < 5 * (0.2 * 0.8 / 40000)**0.5
    assert not BatchRandomFlip(prob=0.0).flips(seeds).any()
    assert BatchRandomFlip(prob=1.0).flips(seeds).all()


def images(n, seed=0):
    """uint8 HWC images with no zero pixel (padding shows)."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 256, (n, 32, 32, 3), dtype=np.uint8)


def chw(batch_hwc: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(batch_hwc)).permute(
        0, 3, 1, 2).contiguous()


def test_a_crop_at_each_offset_equals_the_per_item_random_crop():
    img = images(1)[0]
    transform = RandomCrop(crop_size=32, padding=4)
    padded = torch.nn.functional.pad(chw(img[None]), (4, 4, 4, 4), value=0)
    for top in range(9):
        for left in range(9):
            with mock.patch.object(RandomCrop, 'rand_crop_params',
                                   return_value=(top, left, 32, 32)):
                want = transform(dict(img=img.copy()))['img']
            got = crop_at(padded, torch.tensor([top]), torch.tensor([left]),
                          (32, 32))[0]
            assert torch.equal(got, chw(want[None])[0]), (top, left)


def test_the_batch_crop_equals_the_per_item_crop_at_its_offsets():
    batch = images(16, seed=1)
    seeds = torch.arange(100, 116, dtype=torch.int64)
    crop = BatchRandomCrop(32, padding=4)
    out = crop(chw(batch), seeds)
    top, left = crop.offsets(seeds, 40, 40)
    transform = RandomCrop(crop_size=32, padding=4)
    for i in range(16):
        with mock.patch.object(
                RandomCrop, 'rand_crop_params',
                return_value=(int(top[i]), int(left[i]), 32, 32)):
            want = transform(dict(img=batch[i].copy()))['img']
        assert torch.equal(out[i], chw(want[None])[0])
    assert out.dtype == torch.uint8 and out.is_contiguous()


def test_flips_equal_the_per_item_random_flip():
    batch = images(32, seed=2)
    seeds = torch.arange(32, dtype=torch.int64)
    flip = BatchRandomFlip(prob=0.5)
    out = flip(chw(batch), seeds)
    flipped = flip.flips(seeds)
    assert 0 < int(flipped.sum()) < 32
    always = RandomFlip(prob=1.0, direction='horizontal')
    for i in range(32):
        want = (always(dict(img=batch[i].copy()))['img']
                if flipped[i] else batch[i])
        assert torch.equal(out[i], chw(want[None])[0])


def test_an_item_is_augmented_by_its_seed_alone():
    batch = chw(images(8, seed=3))
    seeds = torch.arange(8, dtype=torch.int64) * 1000
    crop = BatchRandomCrop(32, padding=4)
    once = crop(batch, seeds)
    assert torch.equal(once, crop(batch, seeds))  # a rerun
    order = torch.tensor([5, 2, 7, 0, 1, 6, 3, 4])
    # Another batch composition (order, batch size) changes nothing.
    assert torch.equal(crop(batch[order], seeds[order]), once[order])
    assert torch.equal(crop(batch[2:3], seeds[2:3]), once[2:3])


def test_padding_forms_of_random_crop():
    crop = BatchRandomCrop((28, 30), padding=(1, 2, 3, 4), pad_val=7)
    x = torch.zeros(4, 3, 32, 32, dtype=torch.uint8)
    out = crop(x, torch.arange(4, dtype=torch.int64))
    assert out.shape == (4, 3, 28, 30)
    top, left = crop.offsets(torch.arange(10000, dtype=torch.int64), 38, 36)
    assert int(top.max()) == 38 - 28 and int(left.max()) == 36 - 30
    assert BatchRandomCrop(32).offsets(torch.arange(3), 32, 32)[0].eq(0).all()
    with pytest.raises(ValueError, match='padding'):
        BatchRandomCrop(32, padding=(1, 2, 3))


def test_augments_are_registered_and_refuse_label_scores():
    crop = BATCH_AUGMENTS.build(
        dict(type='BatchRandomCrop', crop_size=32, padding=4))
    flip = BATCH_AUGMENTS.build(dict(type='BatchRandomFlip', prob=0.5))
    x = torch.zeros(2, 3, 32, 32)
    scores = torch.ones(2, 10)  # what ClsDataPreprocessor would pass
    for augment in (crop, flip):
        with pytest.raises(TypeError, match='int64 seeds'):
            augment(x, scores)
    with pytest.raises(ValueError, match='direction'):
        BatchRandomFlip(direction='diagonal')
