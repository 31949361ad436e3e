"""The preprocessors of BBN pairs and of seeded, device-resident batches."""
import pytest
import torch
from mmpretrain.structures import DataSample

from mmbbn.models import BBNDataPreprocessor
from mmbbn.models.data_preprocessors import (BatchRandomCrop,
                                             BatchRandomFlip,
                                             SeededDataPreprocessor)
from mmbbn.registry import MODELS
from mmbbn.structures import BatchDataSample, BranchPair


def batch(value, labels):
    return dict(
        inputs=[torch.full((3, 4, 4), float(value), dtype=torch.uint8)
                for _ in labels],
        data_samples=[DataSample().set_gt_label(y) for y in labels])


def test_each_half_is_processed_and_the_pair_kept():
    pre = BBNDataPreprocessor(mean=[10, 20, 30], std=[2, 2, 2], to_rgb=True)
    out = pre(BranchPair(batch(50, [0, 1]), batch(100, [2, 3, 4])), True)
    assert isinstance(out['inputs'], BranchPair)
    assert isinstance(out['data_samples'], BranchPair)
    xc, xr = out['inputs']
    assert xc.shape == (2, 3, 4, 4) and xr.shape == (3, 3, 4, 4)
    assert torch.allclose(xc[0, :, 0, 0], torch.tensor([20., 15., 10.]))
    assert torch.allclose(xr[0, :, 0, 0], torch.tensor([45., 40., 35.]))
    labels = [int(s.gt_label) for s in out['data_samples'].rebalancing]
    assert labels == [2, 3, 4]


def test_plain_batches_are_processed_as_by_mmpretrain():
    pre = BBNDataPreprocessor(mean=[10, 20, 30], std=[2, 2, 2])
    out = pre(batch(50, [0]), False)
    assert torch.allclose(out['inputs'][0, :, 0, 0],
                          torch.tensor([20., 15., 10.]))


AUGMENTS = [
    dict(type='BatchRandomCrop', crop_size=8, padding=2),
    dict(type='BatchRandomFlip', prob=0.5),
]


def device_batch(n=6, seed0=0, value=None):
    g = torch.Generator().manual_seed(seed0)
    images = (torch.full((n, 3, 8, 8), value, dtype=torch.uint8)
              if value is not None else
              torch.randint(1, 256, (n, 3, 8, 8), generator=g,
                            dtype=torch.uint8))
    labels = torch.arange(n) % 3
    return dict(inputs=images,
                data_samples=[BatchDataSample().set_gt_label(labels)],
                seeds=torch.arange(seed0, seed0 + n, dtype=torch.int64))


def build(**kwargs):
    return MODELS.build(dict(type='SeededDataPreprocessor',
                             augments=AUGMENTS, mean=[10, 20, 30],
                             std=[2, 2, 2], to_rgb=True, **kwargs))


def test_training_applies_the_augments_by_seed_before_normalising():
    pre = build()
    batch = device_batch()
    out = pre(batch, True)
    x = batch['inputs']
    for aug in (BatchRandomCrop(8, padding=2), BatchRandomFlip(0.5)):
        x = aug(x, batch['seeds'])
    # Padding (0) is padded in pixel space, then to RGB and normalised.
    want = (x.flip(1).float() - torch.tensor([10., 20., 30.]).view(
        3, 1, 1)) / 2
    assert torch.equal(out['inputs'], want)
    assert (out['inputs'] == -5).any()  # a padded red pixel: (0 - 10) / 2
    (sample, ) = out['data_samples']
    assert sample.gt_label.tolist() == [0, 1, 2, 0, 1, 2]


def test_each_half_of_a_pair_is_augmented_by_its_own_seeds():
    pre = build()
    conventional = device_batch(seed0=0, value=100)
    rebalancing = device_batch(seed0=1000, value=100)
    out = pre(BranchPair(conventional, rebalancing), True)
    xc, xr = out['inputs']
    assert isinstance(out['inputs'], BranchPair)
    # Same images, other seeds: other crops.
    assert not torch.equal(xc, xr)
    alone = pre(device_batch(seed0=1000, value=100), True)['inputs']
    assert torch.equal(xr, alone)


def test_evaluation_is_not_augmented_and_splits_a_batch_sample():
    pre = build()
    batch = device_batch()
    del batch['seeds']
    out = pre(batch, False)
    assert out['inputs'].shape == (6, 3, 8, 8)
    assert torch.equal(out['inputs'][0, 0],
                       (batch['inputs'][0, 2].float() - 10) / 2)
    samples = out['data_samples']
    assert len(samples) == 6 and all(
        type(s) is DataSample for s in samples)
    assert [int(s.gt_label) for s in samples] == [0, 1, 2, 0, 1, 2]
    kept = pre(device_batch(), False, keep_batched=True)['data_samples']
    assert len(kept) == 1 and isinstance(kept[0], BatchDataSample)


def test_a_training_batch_without_seeds_is_refused():
    batch = device_batch()
    del batch['seeds']
    with pytest.raises(ValueError, match='without seeds'):
        build()(batch, True)


def test_per_item_batches_pass_as_through_the_parent():
    pre = SeededDataPreprocessor(mean=[10, 20, 30], std=[2, 2, 2])
    batch = dict(inputs=torch.full((2, 3, 4, 4), 50, dtype=torch.uint8),
                 data_samples=[DataSample().set_gt_label(1)] * 2)
    out = pre(batch, True)
    assert torch.allclose(out['inputs'][0, :, 0, 0],
                          torch.tensor([20., 15., 10.]))


def test_a_batch_sample_refuses_per_item_predictions():
    sample = BatchDataSample().set_gt_label(torch.tensor([1, 2, 0]))
    with pytest.raises(TypeError, match='BatchedValLoop'):
        sample.set_pred_score(torch.ones(3))
    scores = torch.tensor([[.1, .9], [.8, .2], [.3, .7]])
    sample.set_batch_predictions(scores)
    assert sample.pred_label.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match='batch of 3'):
        sample.set_batch_predictions(scores[:2])
