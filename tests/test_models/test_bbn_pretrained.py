"""BBNPretrained: a BBN model from MMPretrain's ResNet (or a BBN) weights."""
import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint

from mmbbn.registry import MODELS


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


def bbn(backbone, num_classes, in_channels, init_cfg=None):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='BBNClassifier', backbone=backbone, neck=dict(
                type='BBNNeck'),
            head=dict(type='BBNHead', num_classes=num_classes,
                      in_channels=in_channels),
            init_cfg=init_cfg))


@pytest.fixture(scope='module')
def mmpretrain_resnet50(tmp_path_factory):
    """MMPretrain's own ImageNet ResNet-50 classifier, saved by MMEngine."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='ResNet', depth=50),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=1000,
                      in_channels=2048)))
    state = randomise(model, 0).state_dict()
    assert 'backbone.layer4.2.conv3.weight' in state
    path = save(model, tmp_path_factory.mktemp('zoo') / 'resnet50.pth')
    return path, state


def test_bbn_resnet50_from_mmpretrain_resnet50(mmpretrain_resnet50, mmlog):
    path, source = mmpretrain_resnet50
    model = bbn(dict(type='BBNResNet', depth=50, split_last_block=True), 10,
                4096, init_cfg=dict(type='BBNPretrained', checkpoint=path))
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
    line = next(m for m in mmlog if m.startswith('BBNPretrained'))
    assert '\n' not in line
    assert f'from {path}: loaded {len(state) - 2} of {len(state)}' in line
    assert ('neck.conventional <- backbone.layer4.2; neck.rebalancing <- '
            'backbone.layer4.2') in line
    assert 'not loaded (kept as initialised): head.fc;' in line
    assert line.endswith('unused from the checkpoint: head.fc')


def test_bbn_from_another_bbn_keeps_its_branches(tmp_path, mmlog):
    backbone = dict(type='CifarResNet', depth=20, split_last_block=True)
    source = randomise(bbn(backbone, 100, 128), 1)
    path = save(source, tmp_path / 'bbn100.pth')
    model = bbn(backbone, 10, 128,
                init_cfg=[dict(type='BBNPretrained', checkpoint=path)])
    model.init_weights()
    expected = source.state_dict()
    for key, value in model.state_dict().items():
        if not key.startswith('head.'):
            assert torch.equal(value, expected[key]), key
    line = next(m for m in mmlog if m.startswith('BBNPretrained'))
    assert 'neck.conventional <- neck.conventional' in line
    assert 'neck.rebalancing <- neck.rebalancing' in line


def test_plain_cifar_resnet_branches_come_from_layer3_last_block(tmp_path):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        plain = MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='CifarResNet', depth=32),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=10,
                      in_channels=64)))
    source = randomise(plain, 2).state_dict()
    model = bbn(dict(type='CifarResNet', depth=32, split_last_block=True),
                10, 128, init_cfg=dict(type='BBNPretrained',
                                       checkpoint=save(plain,
                                                       tmp_path / 'r32.pth')))
    model.init_weights()
    assert model.backbone.last_block_name == 'layer3.4'
    assert torch.equal(model.neck.rebalancing.conv2.weight,
                       source['backbone.layer3.4.conv2.weight'])
    assert torch.equal(model.backbone.layer3[3].bn1.running_var,
                       source['backbone.layer3.3.bn1.running_var'])


def test_wrong_prefix_or_shape_fails_in_one_line(mmpretrain_resnet50):
    path, _ = mmpretrain_resnet50
    model = bbn(dict(type='BBNResNet', depth=50, split_last_block=True), 10,
                4096, init_cfg=dict(type='BBNPretrained', checkpoint=path,
                                    prefix='trunk.'))
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert "no trunk weight of the model matched a key under prefix " \
        "'trunk.'" in str(e.value) and '\n' not in str(e.value)

    model = bbn(dict(type='BBNResNet', depth=50, in_channels=1,
                     split_last_block=True), 10, 4096,
                init_cfg=dict(type='BBNPretrained', checkpoint=path))
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert str(e.value) == (
        f'BBNPretrained: backbone.conv1.weight in {path} has shape '
        "(64, 3, 7, 7), but the model's backbone.conv1.weight has "
        '(64, 1, 7, 7) (another depth or input channels?)')
