import torch
from mmpretrain.structures import DataSample

from mmbbn.models import BBNDataPreprocessor
from mmbbn.structures import BranchPair


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
