import pytest
import torch

from mmbbn.models import BBNNeck, CifarResNet, hold_out_last_block
from mmbbn.structures import BranchPair


def make_neck(**kwargs):
    return BBNNeck(hold_out_last_block(CifarResNet(depth=20)), **kwargs)


def test_branches_are_separate_copies_of_the_block():
    neck = make_neck()
    assert neck.out_channels == 128
    assert neck.conventional is not neck.rebalancing
    neck.init_weights()
    assert not torch.equal(neck.conventional.conv1.weight,
                           neck.rebalancing.conv1.weight)


def test_branch_features_pool_each_branch_on_its_own_input():
    neck = make_neck().eval()
    xc, xr = torch.randn(2, 64, 8, 8), torch.randn(3, 64, 8, 8)
    feats = neck.branch_features(BranchPair(xc, xr))
    assert feats.conventional.shape == (2, 64)
    assert feats.rebalancing.shape == (3, 64)
    assert torch.allclose(feats.conventional,
                          neck.conventional(xc).mean(dim=(2, 3)), atol=1e-6)
    assert torch.allclose(feats.rebalancing,
                          neck.rebalancing(xr).mean(dim=(2, 3)), atol=1e-6)


def test_inference_concatenates_both_branches_on_the_same_map():
    neck = make_neck().eval()
    x = torch.randn(2, 64, 8, 8)
    (out, ) = neck((torch.randn(2, 32, 16, 16), x))
    expected = torch.cat([
        neck.conventional(x).mean(dim=(2, 3)),
        neck.rebalancing(x).mean(dim=(2, 3))
    ], dim=1)
    assert torch.allclose(out, expected, atol=1e-6)


@pytest.mark.parametrize('alpha', [0.0, 0.3, 1.0])
def test_inference_alpha_weights_the_branches_as_the_paper(alpha):
    neck = make_neck(inference_alpha=alpha).eval()
    x = torch.randn(2, 64, 8, 8)
    (out, ) = neck((x, ))
    f_c = neck.conventional(x).mean(dim=(2, 3))
    f_r = neck.rebalancing(x).mean(dim=(2, 3))
    expected = 2 * torch.cat([alpha * f_c, (1 - alpha) * f_r], dim=1)
    assert torch.allclose(out, expected, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(TypeError, match='hold_out_last_block'):
        BBNNeck(last_block=dict(type='CifarBasicBlock'))
    with pytest.raises(ValueError) as e:
        make_neck(inference_alpha=1.5)
    assert str(e.value) == ('BBNNeck: inference_alpha=1.5 is outside '
                            '[0, 1]')
