"""A BBN model from MMPretrain's ResNet (or a BBN) weights.

MMEngine's ``Pretrained`` on the backbone starts the trunk; the neck gets a
``Pretrained`` of the same file from ``BBNClassifier`` and starts each
branch from the checkpoint's branches or its plain last block; the
classifier keeps its fresh initialisation.
"""
import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint

from mmbbn.registry import MODELS
from ..conftest import one_line_error


def randomise(model, seed):
    """Distinct values in every tensor, BatchNorm statistics included."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for value in model.state_dict().values():
            if value.is_floating_point():
                value.copy_(torch.rand(value.shape, generator=gen) + 0.1)
    return model


def save(model, path):
    save_checkpoint({'state_dict': model.state_dict(),
                     'meta': {'note': 'test'}}, str(path))
    return str(path)


def pretrained(path, prefix='backbone.'):
    return dict(type='Pretrained', checkpoint=path, prefix=prefix)


def bbn(backbone, num_classes, in_channels, init_cfg=None):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='BBNClassifier', backbone=backbone, neck=dict(
                type='BBNNeck'),
            head=dict(type='BBNHead', num_classes=num_classes,
                      in_channels=in_channels),
            init_cfg=init_cfg))


def plain(backbone, num_classes, in_channels):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='ImageClassifier', backbone=backbone,
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=num_classes,
                      in_channels=in_channels)))


@pytest.fixture(scope='module')
def mmpretrain_resnet50(tmp_path_factory):
    """MMPretrain's own ImageNet ResNet-50 classifier, saved by MMEngine."""
    model = plain(dict(type='ResNet', depth=50), 1000, 2048)
    state = randomise(model, 0).state_dict()
    assert 'backbone.layer4.2.conv3.weight' in state
    path = save(model, tmp_path_factory.mktemp('zoo') / 'resnet50.pth')
    return path, state


@pytest.mark.parametrize('backbone', ['ResNet', 'BBNResNet'])
def test_bbn_resnet50_from_mmpretrain_resnet50(mmpretrain_resnet50, mmlog,
                                               backbone):
    path, source = mmpretrain_resnet50
    model = bbn(dict(type=backbone, depth=50, init_cfg=pretrained(path)), 10,
                4096)
    fresh_fc = model.head.fc.weight.detach().clone()
    model.init_weights()
    state = model.state_dict()
    trunk = {k: v for k, v in state.items() if k.startswith('backbone.')}
    assert 'backbone.layer4.1.conv3.weight' in trunk
    assert 'backbone.layer4.2.conv3.weight' not in trunk
    for key, value in trunk.items():
        assert torch.equal(value, source[key]), key
    # Both branches start as the trunk's held-out block, layer4.2.
    for branch in ('conventional', 'rebalancing'):
        keys = [k for k in state if k.startswith(f'neck.{branch}.')]
        assert len(keys) == 18  # 3 convs + 3 BNs x (w, b, mean, var, count)
        for key in keys:
            rest = key[len(f'neck.{branch}.'):]
            assert torch.equal(state[key],
                               source[f'backbone.layer4.2.{rest}']), key
    # The classifier is left as initialised.
    assert torch.equal(model.head.fc.weight, fresh_fc)
    # One line says what the branches came from; MMEngine's lines name the
    # file for the trunk; nothing is reported as mismatched.
    line = next(m for m in mmlog if m.startswith('BBNNeck'))
    assert '\n' not in line
    assert line == (f'BBNNeck: from {path}: neck.conventional and '
                    'neck.rebalancing <- backbone.layer4.2 (36 tensors)')
    assert f'load backbone. in model from: {path}' in mmlog
    assert not any('do not match' in m for m in mmlog), mmlog


def test_bbn_from_another_bbn_keeps_its_branches(tmp_path, mmlog):
    backbone = dict(type='CifarResNet', depth=20)
    source = randomise(bbn(backbone, 100, 128), 1)
    path = save(source, tmp_path / 'bbn100.pth')
    model = bbn(dict(backbone, init_cfg=pretrained(path)), 10, 128)
    fresh_fc = model.head.fc.weight.detach().clone()
    model.init_weights()
    expected = source.state_dict()
    for key, value in model.state_dict().items():
        if not key.startswith('head.'):
            assert torch.equal(value, expected[key]), key
    assert torch.equal(model.head.fc.weight, fresh_fc)
    line = next(m for m in mmlog if m.startswith('BBNNeck'))
    assert 'neck.conventional and neck.rebalancing <- its branches neck.*' \
        in line


def test_model_level_bbn_pretrained_still_works(tmp_path):
    # Configs written for mmbbn's former initialiser keep working: it is
    # the backbone's Pretrained with that prefix.
    backbone = dict(type='CifarResNet', depth=20, split_last_block=True)
    source = randomise(bbn(backbone, 100, 128), 1)
    path = save(source, tmp_path / 'bbn100.pth')
    model = bbn(backbone, 10, 128,
                init_cfg=[dict(type='BBNPretrained', checkpoint=path)])
    assert model.init_cfg is None
    assert model.backbone.init_cfg == pretrained(path)
    model.init_weights()
    expected = source.state_dict()
    for key, value in model.state_dict().items():
        if not key.startswith('head.'):
            assert torch.equal(value, expected[key]), key


def test_plain_cifar_resnet_branches_come_from_layer3_last_block(tmp_path):
    net = randomise(plain(dict(type='CifarResNet', depth=32), 10, 64), 2)
    source, path = net.state_dict(), save(net, tmp_path / 'r32.pth')
    model = bbn(dict(type='CifarResNet', depth=32,
                     init_cfg=pretrained(path)), 10, 128)
    model.init_weights()
    assert model.backbone.last_block.name == 'layer3.4'
    assert torch.equal(model.neck.rebalancing.conv2.weight,
                       source['backbone.layer3.4.conv2.weight'])
    assert torch.equal(model.backbone.layer3[3].bn1.running_var,
                       source['backbone.layer3.3.bn1.running_var'])


def test_torchvision_layout(tmp_path):
    # torchvision's ResNet files: no prefix, the classifier is ``fc``.
    net = randomise(plain(dict(type='ResNet', depth=18), 1000, 512), 3)
    state = {k[len('backbone.'):]: v
             for k, v in net.state_dict().items() if k.startswith('backbone.')}
    state.update({'fc.weight': torch.zeros(1000, 512),
                  'fc.bias': torch.zeros(1000)})
    path = str(tmp_path / 'resnet18-f37072fd.pth')
    torch.save(state, path)
    model = bbn(dict(type='ResNet', depth=18, init_cfg=dict(
        type='Pretrained', checkpoint=path)), 10, 1024)
    model.init_weights()
    assert torch.equal(model.neck.conventional.conv2.weight,
                       state['layer4.1.conv2.weight'])
    assert torch.equal(model.backbone.layer4[0].bn2.running_mean,
                       state['layer4.0.bn2.running_mean'])


def test_wrong_prefix_or_shape_fails_in_one_line(mmpretrain_resnet50):
    path, _ = mmpretrain_resnet50
    model = bbn(dict(type='ResNet', depth=50,
                     init_cfg=pretrained(path, 'trunk.')), 10, 4096)
    with pytest.raises(AssertionError) as e:
        model.init_weights()
    # MMEngine's own message, one line, names the prefix.
    assert one_line_error(e) == 'trunk. is not in the pretrained model'

    model = bbn(dict(type='ResNet', depth=50, in_channels=1,
                     init_cfg=pretrained(path)), 10, 4096)
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert one_line_error(e) == (
        f'BBN trunk ResNet: backbone.conv1.weight in {path} has shape '
        "(64, 3, 7, 7), but the model's backbone.conv1.weight has "
        '(64, 1, 7, 7) (weights of another architecture, depth or input '
        'channels?)')


def test_another_architecture_names_the_first_mismatching_key(
        mmpretrain_resnet50, tmp_path):
    path, _ = mmpretrain_resnet50
    # ResNet-50 weights for a ResNet-101: layer3.6 is not in the file.
    model = bbn(dict(type='ResNet', depth=101, init_cfg=pretrained(path)),
                10, 4096)
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert one_line_error(e) == (
        f'BBN trunk ResNet: {path} has no backbone.layer3.6.conv1.weight '
        '(weights of another architecture or depth?)')
    # ResNet-101 weights for a ResNet-50: the file has a deeper layer3.
    deeper = save(plain(dict(type='ResNet', depth=101), 10, 2048),
                  tmp_path / 'resnet101.pth')
    model = bbn(dict(type='ResNet', depth=50, init_cfg=pretrained(deeper)),
                10, 4096)
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert one_line_error(e) == (
        f'BBN trunk ResNet: {deeper} has backbone.layer3.6.conv1.weight, '
        'which this trunk does not have (weights of another architecture '
        'or depth?)')
    # A checkpoint without the plain last block nor BBN branches.
    trunk_only = str(tmp_path / 'trunk_only.pth')
    torch.save({'state_dict': {
        k: v for k, v in torch.load(path)['state_dict'].items()
        if not k.startswith('backbone.layer4.2.')}}, trunk_only)
    model = bbn(dict(type='ResNet', depth=50,
                     init_cfg=pretrained(trunk_only)), 10, 4096)
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert one_line_error(e) == (
        f'BBNNeck: {trunk_only} has neither the branches of a BBN model '
        "(neck.conventional.*) nor the plain network's last block "
        '(backbone.layer4.2.* or layer4.2.*) to start them from')
