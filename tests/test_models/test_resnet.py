"""The ResNets: He et al.'s for CIFAR, MMPretrain's under BBN's name."""
import pytest
import torch
from mmpretrain.models import ResNet
from mmpretrain.models.backbones.resnet import BasicBlock, Bottleneck
from torch import nn

from mmbbn.models import (BBNResNet, CifarBasicBlock, CifarResNet,
                          count_parameters, hold_out_last_block)
from mmbbn.models.backbones import CIFAR_DEPTHS, ZeroPadShortcut


def he_et_al_params(depth: int, num_classes: int = 10) -> int:
    """Parameters of He et al.'s CIFAR ResNet with option-A shortcuts,
    counted from the architecture (conv weights + BN affine + FC)."""
    n = (depth - 2) // 6
    conv = lambda cin, cout: cin * cout * 9  # noqa: E731
    bn = lambda c: 2 * c  # noqa: E731
    total = conv(3, 16) + bn(16)
    cin = 16
    for c in (16, 32, 64):
        for _ in range(n):
            total += conv(cin, c) + conv(c, c) + 2 * bn(c)
            cin = c
    return total + 64 * num_classes + num_classes


@pytest.mark.parametrize('depth', sorted(CIFAR_DEPTHS))
def test_parameter_count_matches_he_et_al(depth):
    model = CifarResNet(depth=depth)
    assert count_parameters(model) + 650 == he_et_al_params(depth)


def test_published_sizes():
    # He et al. / the official BBN table: ResNet-20 0.27M, ResNet-32 0.46M.
    assert he_et_al_params(20) == 269722
    assert he_et_al_params(32) == 464154


def test_bbn_split_has_official_parameter_count():
    trunk = CifarResNet(depth=32, split_last_block=True)
    block = trunk.last_block.block
    assert isinstance(block, CifarBasicBlock)
    assert len(trunk.layer3) == 4 and trunk.last_block.name == 'layer3.4'
    assert count_parameters(block) == 73984
    # Official BBN_ResNet_Cifar: trunk + cb_block + rb_block.
    assert count_parameters(trunk) + 2 * count_parameters(block) == 537488


def test_forward_shapes_and_out_indices():
    x = torch.randn(2, 3, 32, 32)
    outs = CifarResNet(depth=20, out_indices=(0, 1, 2))(x)
    assert [o.shape for o in outs] == [(2, 16, 32, 32), (2, 32, 16, 16),
                                       (2, 64, 8, 8)]
    grey = CifarResNet(depth=20, in_channels=1)(torch.randn(2, 1, 8, 8))
    assert grey[0].shape == (2, 64, 2, 2)


def test_split_trunk_plus_block_equals_full_network():
    torch.manual_seed(0)
    full = CifarResNet(depth=20).eval()
    trunk = CifarResNet(depth=20, split_last_block=True).eval()
    state = full.state_dict()
    trunk.load_state_dict(
        {k: v for k, v in state.items() if not k.startswith('layer3.2.')})
    block = trunk.last_block.block.eval()
    block.load_state_dict({
        k[len('layer3.2.'):]: v
        for k, v in state.items() if k.startswith('layer3.2.')
    })
    x = torch.randn(3, 3, 32, 32)
    assert torch.allclose(block(trunk(x)[-1]), full(x)[-1], atol=1e-6)


def test_zero_pad_shortcut():
    x = torch.randn(2, 16, 8, 8)
    y = ZeroPadShortcut(stride=2, extra_channels=16)(x)
    assert y.shape == (2, 32, 4, 4)
    assert torch.equal(y[:, 8:24], x[:, :, ::2, ::2])
    assert not y[:, :8].any() and not y[:, 24:].any()
    block = CifarBasicBlock(16, 32, stride=2, shortcut='A')
    assert count_parameters(block.shortcut) == 0
    block_b = CifarBasicBlock(16, 32, stride=2, shortcut='B')
    assert count_parameters(block_b.shortcut) == 16 * 32 + 64


def test_kaiming_and_batchnorm_init():
    torch.manual_seed(0)
    model = CifarResNet(depth=32)
    model.init_weights()
    conv = model.layer3[1].conv1  # fan_in = 64 * 9
    expected = (2.0 / (64 * 9))**0.5
    assert abs(conv.weight.std().item() / expected - 1) < 0.05
    assert torch.all(model.layer3[1].bn1.weight == 1)

    legacy = CifarResNet(depth=32, legacy_bn_init=True)
    legacy.init_weights()
    w = legacy.layer3[1].bn1.weight
    assert torch.all((w >= 0) & (w <= 1)) and w.std() > 0.1
    assert torch.all(legacy.layer3[1].bn1.bias == 0)
    # The held-out block starts as the rest of the network.
    block = CifarResNet(depth=32, legacy_bn_init=True,
                        split_last_block=True).last_block.block
    assert any(c['type'] == 'Uniform' for c in block.init_cfg)
    block.init_weights()
    w = block.bn2.weight
    assert torch.all((w >= 0) & (w <= 1)) and w.std() > 0.1


def test_frozen_stages_stay_frozen_in_train_mode():
    model = CifarResNet(depth=20, frozen_stages=1)
    model.train()
    assert not any(p.requires_grad for p in model.layer1.parameters())
    assert not model.bn1.training and not model.layer1[0].bn1.training
    assert all(p.requires_grad for p in model.layer2.parameters())
    assert model.layer2[0].bn1.training


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match='depth=33'):
        CifarResNet(depth=33)
    with pytest.raises(ValueError, match='shortcut'):
        CifarBasicBlock(16, 16, shortcut='C')
    with pytest.raises(ValueError, match='out_indices'):
        CifarResNet(out_indices=(3, ))


def test_blocks_are_registered():
    from mmbbn.registry import MODELS
    block = MODELS.build(dict(type='CifarBasicBlock', in_channels=64,
                              out_channels=64))
    assert isinstance(block, CifarBasicBlock)
    assert isinstance(block.shortcut, nn.Identity)


def test_split_resnet50_is_the_official_bbn_trunk():
    trunk = BBNResNet(depth=50, split_last_block=True)
    full = ResNet(depth=50)
    assert len(trunk.layer4) == 2 and len(full.layer4) == 3
    held = trunk.last_block
    assert held.name == 'layer4.2' and held.out_channels == 2048
    block = held.block
    assert isinstance(block, Bottleneck) and block.downsample is None
    assert (block.in_channels, block.out_channels, block.stride) == (2048,
                                                                     2048, 1)
    # trunk + one branch block == the full ResNet-50.
    assert count_parameters(trunk) + count_parameters(block) == \
        count_parameters(full)
    # torchvision key layout, as MMPretrain and the official release.
    keys = set(trunk.state_dict())
    assert {'conv1.weight', 'bn1.weight', 'layer4.1.conv3.weight',
            'layer4.0.downsample.0.weight'} <= keys
    assert not any(k.startswith('layer4.2.') for k in keys)
    # MMPretrain's own ResNet splits the same way.
    plain = ResNet(depth=50)
    assert hold_out_last_block(plain).name == 'layer4.2'
    assert set(plain.state_dict()) == keys


def test_unsplit_is_mmpretrain_resnet():
    torch.manual_seed(0)
    ours, theirs = BBNResNet(depth=18), ResNet(depth=18)
    ours.eval()
    theirs.eval()  # MMPretrain's train() does not return the module
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(1, 3, 64, 64)
    assert torch.equal(ours(x)[-1], theirs(x)[-1])
    assert isinstance(hold_out_last_block(ours).block, BasicBlock)


def test_branch_block_init_follows_zero_init_residual():
    block = BBNResNet(depth=50, split_last_block=True).last_block.block
    block.init_weights()
    assert torch.all(block.bn3.weight == 0)
    assert torch.all(block.bn1.weight == 1)
    block = BBNResNet(
        depth=50, split_last_block=True,
        zero_init_residual=False).last_block.block
    block.init_weights()
    assert torch.all(block.bn3.weight == 1)
