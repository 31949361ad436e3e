import torch
from mmpretrain.models import ResNet
from mmpretrain.models.backbones.resnet import BasicBlock, Bottleneck

from mmbbn.models import BBNResNet, count_parameters, hold_out_last_block


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
