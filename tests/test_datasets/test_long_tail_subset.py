"""A long-tailed subset of any data set."""
import numpy as np
import pytest

from mmbbn.datasets import (DualSampleDataset, DualSampler, LongTailImageList,
                            LongTailSubset, long_tail_counts, select_long_tail)
from mmbbn.datasets.long_tail import largest_n_max
from ..conftest import one_line_error, write_image_list


@pytest.fixture
def balanced(tmp_path):
    """A balanced list set: 10 classes x 60 images."""
    written = write_image_list(str(tmp_path), 'all.txt', [60] * 10)
    return dict(type='LongTailImageList', ann_file=written['ann_file']), \
        written


def test_counts_follow_the_profile_and_items_the_protocol(balanced):
    cfg, written = balanced
    subset = LongTailSubset(cfg, imbalance_factor=10)
    counts = long_tail_counts(60, 10, 10)
    assert counts == [60, 46, 35, 27, 21, 16, 12, 10, 7, 6]
    assert subset.subset_counts == counts
    assert np.bincount(subset.get_gt_labels()).tolist() == counts
    # The items are the LDAM-DRW choice (seeded shuffle per class).
    expected = select_long_tail(written['labels'], counts, 'shuffle', 0)
    assert subset.indices.tolist() == expected.tolist()
    assert len(subset) == sum(counts)
    inner = LongTailImageList(ann_file=written['ann_file'])
    k = 17
    assert subset.get_data_info(k) == inner.get_data_info(
        int(expected[k]))
    assert subset.get_cat_ids(k) == [int(written['labels'][expected[k]])]
    assert subset.metainfo == inner.metainfo
    # A fixed seed gives a fixed subset: its digest is part of the protocol.
    assert subset.subset_digest == LongTailSubset(
        cfg, imbalance_factor=10).subset_digest
    other = LongTailSubset(cfg, imbalance_factor=10, seed=1)
    assert other.subset_counts == counts
    assert other.subset_digest != subset.subset_digest


def test_step_profile_and_explicit_head(balanced):
    cfg, _ = balanced
    subset = LongTailSubset(cfg, imbalance_factor=5, profile='step',
                            n_max=50)
    assert subset.subset_counts == [50] * 5 + [10] * 5
    assert np.bincount(subset.get_gt_labels()).tolist() == [50] * 5 + [
        10
    ] * 5


def test_head_size_fits_what_each_class_has():
    available = np.array([100, 30, 90, 5])
    n_max = largest_n_max(available, 10, 'exp')
    assert n_max == 59  # int(59 / 10) = 5 images for the last class
    counts = long_tail_counts(n_max, 4, 10)
    assert np.all(np.array(counts) <= available)
    assert np.any(np.array(long_tail_counts(n_max + 1, 4, 10)) > available)
    assert largest_n_max(np.array([10, 0]), 2, 'exp') == 0


def test_dual_sampling_reads_the_subset_labels(balanced):
    cfg, _ = balanced
    pairs = DualSampleDataset(
        dict(type='LongTailSubset', dataset=cfg, imbalance_factor=10))
    sampler = DualSampler(pairs, seed=0)
    assert sampler.class_index.counts.tolist() == long_tail_counts(60, 10,
                                                                   10)


def test_bad_arguments_fail_before_loading(tmp_path, balanced):
    cfg, _ = balanced
    missing = dict(type='LongTailImageList', ann_file=str(tmp_path / 'x'),
                   lazy_init=True)
    with pytest.raises(ValueError) as e:
        LongTailSubset(missing, imbalance_factor=0.5)
    assert one_line_error(e) == ('LongTailSubset: imbalance_factor=0.5 is '
                                 'below 1 (it is n_max / n_min, e.g. 100)')
    with pytest.raises(ValueError, match="profile='linear'"):
        LongTailSubset(missing, profile='linear')
    with pytest.raises(ValueError, match='n_max=0'):
        LongTailSubset(missing, n_max=0)
    with pytest.raises(ValueError) as e:
        LongTailSubset(cfg, imbalance_factor=2, n_max=61)
    assert 'class 0 has 60 items, fewer than the 61' in one_line_error(e)
