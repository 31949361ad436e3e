import numpy as np
import pytest
from mmpretrain.datasets import BaseDataset

from mmbbn.datasets import DualSampleDataset
from mmbbn.structures import BranchPair, Draw


class ToyDataset(BaseDataset):
    METAINFO = {'classes': ('a', 'b', 'c')}

    def __init__(self, labels, **kwargs):
        self._labels = labels
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self):
        return [dict(img=np.full((2, 2), i, np.uint8), gt_label=int(y))
                for i, y in enumerate(self._labels)]


def test_pair_index_gives_both_items_by_name():
    ds = DualSampleDataset(ToyDataset([0, 1, 2, 2]))
    # Given by name in the other order: the halves still land by name.
    pair = ds[BranchPair(rebalancing=Draw(3, 5), conventional=Draw(1, 6))]
    assert isinstance(pair, BranchPair)
    assert pair.conventional['gt_label'] == 1
    assert pair.rebalancing['gt_label'] == 2
    assert pair.rebalancing['img'][0, 0] == 3
    plain = ds[BranchPair(1, 3)]
    assert [plain.conventional['gt_label'], plain.rebalancing['gt_label']
            ] == [1, 2]


def test_single_index_and_metadata_pass_through():
    ds = DualSampleDataset(ToyDataset([0, 1, 2, 2]))
    assert len(ds) == 4
    assert ds[2]['gt_label'] == 2
    assert ds.metainfo['classes'] == ('a', 'b', 'c')
    assert ds.get_gt_labels().tolist() == [0, 1, 2, 2]


def test_builds_from_config():
    from mmbbn.registry import DATASETS
    ds = DATASETS.build(dict(
        type='DualSampleDataset',
        dataset=dict(type='DigitsLT', split='test', pipeline=[])))
    assert len(ds) == 500


def test_labels_missing_fail_clearly():
    class NoLabels(ToyDataset):
        def load_data_list(self):
            return [dict(img=np.zeros((2, 2), np.uint8))]

    ds = DualSampleDataset(NoLabels([0]))
    with pytest.raises(ValueError, match="NoLabels: items have no 'gt_label'"):
        ds.get_gt_labels()
