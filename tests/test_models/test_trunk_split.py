"""BBN on every supported backbone: split, size, pretrained start, passes.

Tiny widths of the real MMPretrain backbones; the checkpoints are written
here by plain MMPretrain classifiers (their key layout), never downloaded.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint
from mmpretrain.structures import DataSample

from mmbbn.models import count_parameters, hold_out_last_block
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ..conftest import CONFIGS, one_line_error

TINY_VIT = dict(embed_dims=16, num_layers=3, num_heads=2,
                feedforward_channels=32)
GAP = dict(type='GlobalAveragePooling')
# name: (backbone, plain neck, input size, last block, d, joint by default)
ARCHS = {
    'resnet50': (dict(type='ResNet', depth=50, stem_channels=8,
                      base_channels=8), GAP, 32, 'layer4.2', 256, False),
    'resnet101': (dict(type='ResNet', depth=101, stem_channels=4,
                       base_channels=4), GAP, 32, 'layer4.2', 128, False),
    'resnet152': (dict(type='ResNet', depth=152, stem_channels=4,
                       base_channels=4), GAP, 32, 'layer4.2', 128, False),
    'resnext50': (dict(type='ResNeXt', depth=50, stem_channels=8,
                       base_channels=8, groups=4, width_per_group=2), GAP,
                  32, 'layer4.2', 256, False),
    'seresnet50': (dict(type='SEResNet', depth=50, stem_channels=8,
                        base_channels=8, se_ratio=4), GAP, 32, 'layer4.2',
                   256, False),
    'cifar_resnet32': (dict(type='CifarResNet', depth=32), GAP, 32,
                       'layer3.4', 64, False),
    'convnext': (dict(type='ConvNeXt', arch=dict(
        depths=[1, 1, 2, 3], channels=[8, 16, 24, 32])), None, 32,
                 'stages.3.2', 32, True),
    'swin': (dict(type='SwinTransformer', arch=dict(
        embed_dims=8, depths=[1, 1, 1, 2], num_heads=[1, 1, 2, 2]),
        img_size=64, window_size=2), GAP, 64, 'stages.3.blocks.1', 64,
             True),
    'vit': (dict(type='VisionTransformer', arch=TINY_VIT, img_size=32,
                 patch_size=8), None, 32, 'layers.2', 16, True),
    'vit_avg_featmap': (dict(type='VisionTransformer', arch=TINY_VIT,
                             img_size=32, patch_size=8,
                             out_type='avg_featmap', final_norm=False),
                        None, 32, 'layers.2', 16, True),
    'deit': (dict(type='VisionTransformer', arch=dict(
        TINY_VIT, num_layers=2), img_size=32, patch_size=8), None, 32,
             'layers.1', 16, True),
    'deit_distilled': (dict(type='DistilledVisionTransformer',
                            arch=TINY_VIT, img_size=32, patch_size=8), None,
                       32, 'layers.2', 16, True),
    'deit3': (dict(type='DeiT3', arch=TINY_VIT, img_size=32, patch_size=8),
              None, 32, 'layers.2', 16, True),
}


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: a second thread only adds a barrier per operator."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def build(cfg):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg)


def bbn_cfg(name, **backbone_kwargs):
    backbone, _, _, _, d, _ = ARCHS[name]
    return dict(type='BBNClassifier', backbone=dict(backbone,
                                                    **backbone_kwargs),
                neck=dict(type='BBNNeck'),
                head=dict(type='BBNHead', num_classes=5, in_channels=2 * d))


def plain_model(name):
    """The plain MMPretrain classifier of an architecture."""
    backbone, neck, _, _, d, _ = ARCHS[name]
    return build(dict(type='ImageClassifier', backbone=backbone, neck=neck,
                      head=dict(type='LinearClsHead', num_classes=7,
                                in_channels=d)))


def plain_feature(name, model, x):
    feat = model.extract_feat(x)[-1]
    if name == 'deit_distilled':  # (class token, distillation token)
        return (feat[0] + feat[1]) / 2
    return feat


def randomise(model, seed):
    """Well-scaled random values in every tensor, statistics included."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if not value.is_floating_point():
                continue
            noise = torch.randn(value.shape, generator=gen)
            if key.endswith('running_var') or (value.ndim == 1
                                               and key.endswith(
                                                   ('weight', 'gamma'))):
                value.copy_(0.5 + noise.abs())
            elif value.ndim >= 2 and value.shape[0] > 1:
                value.copy_(noise / value[0].numel()**0.5)
            else:
                value.copy_(0.1 * noise)
    return model


def images(name, n=2, seed=0):
    size = ARCHS[name][2]
    return torch.randn(n, 3, size, size,
                       generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize('name', ARCHS)
def test_parameters_are_the_plain_backbone_plus_one_last_block(name):
    backbone, _, _, block_name, d, _ = ARCHS[name]
    plain = build(backbone)
    model = build(bbn_cfg(name))
    held = model.backbone.last_block
    assert held.name == block_name and held.out_channels == d
    extra = count_parameters(model.neck.rebalancing)
    assert extra > 0
    assert count_parameters(model.backbone) + count_parameters(
        model.neck) == count_parameters(plain) + extra
    # The trunk lost exactly the plain network's last block (and the norm
    # that follows it, which the neck's pool now holds once).
    plain_keys = set(plain.state_dict())
    held_keys = set(held.plain_keys())
    assert held_keys <= plain_keys
    assert set(model.backbone.state_dict()) == plain_keys - held_keys
    assert count_parameters(model.head) == 5 * 2 * d + 5


@pytest.mark.parametrize('name', ARCHS)
def test_from_plain_weights_the_features_are_f_twice(name, tmp_path):
    source = randomise(plain_model(name), 0).eval()
    path = str(tmp_path / f'{name}.pth')
    save_checkpoint({'state_dict': source.state_dict()}, path)
    model = build(bbn_cfg(name, init_cfg=dict(
        type='Pretrained', checkpoint=path, prefix='backbone.')))
    fresh_fc = model.head.fc.weight.detach().clone()
    model.init_weights()
    model.eval()
    x = images(name)
    with torch.no_grad():
        f = plain_feature(name, source, x)
        (feat, ) = model.extract_feat(x)
    d = ARCHS[name][4]
    assert f.shape == (2, d) and feat.shape == (2, 2 * d)
    torch.testing.assert_close(feat, torch.cat([f, f], dim=1), rtol=1e-5,
                               atol=1e-6)
    assert f.abs().max() > 1e-2  # not a vanishing signal
    assert torch.equal(model.head.fc.weight, fresh_fc)


@pytest.mark.parametrize('name', [n for n in ARCHS if ARCHS[n][5]])
def test_joint_pass_is_exact_without_batchnorm(name):
    torch.manual_seed(0)
    cfg = bbn_cfg(name)
    model = build(cfg)
    assert model.joint_pass  # the default where it is exact
    model.init_weights()
    model.train()  # LayerNorm: no batch statistics in either mode
    for m in model.modules():  # stochastic depth / dropout off
        if hasattr(m, 'drop_prob'):
            m.drop_prob = 0.0
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    model.head.alpha = 0.3
    pair = BranchPair(images(name, 3, 1), images(name, 3, 2))
    samples = BranchPair(
        [DataSample().set_gt_label(i) for i in (0, 1, 2)],
        [DataSample().set_gt_label(i) for i in (3, 4, 0)])
    joint = model(pair, samples, mode='loss')['loss']
    model.joint_pass = False
    two = model(pair, samples, mode='loss')['loss']
    torch.testing.assert_close(joint, two, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name', [n for n in ARCHS if not ARCHS[n][5]])
def test_two_passes_stay_the_default_with_batchnorm(name):
    assert not build(bbn_cfg(name)).joint_pass


def test_layer_wise_decay_sees_branches_as_the_plain_last_block():
    from mmengine.optim import build_optim_wrapper
    plain = build(ARCHS['vit'][0])
    model = build(bbn_cfg('vit'))
    for name, _ in model.neck.named_parameters():
        if name.startswith(('conventional.', 'rebalancing.')):
            rest = name.split('.', 1)[1]
            assert model.get_layer_depth(f'neck.{name}') == \
                plain.get_layer_depth(f'layers.2.{rest}')
    assert model.get_layer_depth('neck.pool.ln1.weight') == \
        plain.get_layer_depth('ln1.weight')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        optim = build_optim_wrapper(model, dict(
            optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.05),
            constructor='LearningRateDecayOptimWrapperConstructor',
            paramwise_cfg=dict(layer_decay_rate=0.5)))
    lrs = {g['param_name']: g['lr']
           for g in optim.param_groups if 'param_name' in g}
    # 3 layers + stem + head-level: layers.2 is one step below the top.
    assert lrs['neck.rebalancing.attn.qkv.weight'] == 0.5
    assert lrs['backbone.layers.1.attn.qkv.weight'] == 0.25
    assert lrs['head.fc.weight'] == 1.0


def test_unsupported_backbone_fails_in_one_line():
    with pytest.raises(ValueError) as e:
        build(dict(type='BBNClassifier',
                   backbone=dict(type='MobileNetV2', widen_factor=0.25),
                   head=dict(type='BBNHead', num_classes=5,
                             in_channels=10)))
    message = one_line_error(e)
    assert message.startswith('BBN cannot split the backbone MobileNetV2: '
                              'supported are ')
    for name in ('ConvNeXt', 'ResNet', 'ResNeXt', 'SEResNet',
                 'SwinTransformer', 'VisionTransformer',
                 'DistilledVisionTransformer', 'CifarResNet'):
        assert name in message


@pytest.mark.parametrize('backbone, where', [
    (dict(type='ConvNeXt', arch=dict(depths=[1, 1, 1, 1],
                                     channels=[8, 16, 24, 32])), 'stages.3'),
    (dict(type='VisionTransformer', arch=dict(TINY_VIT, num_layers=1),
          img_size=32, patch_size=8), 'layers'),
    (dict(type='SwinTransformer', arch=dict(
        embed_dims=8, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2]),
        img_size=64, window_size=2), 'stages.3.blocks'),
])
def test_a_last_stage_of_one_block_fails_in_one_line(backbone, where):
    with pytest.raises(ValueError) as e:
        hold_out_last_block(build(backbone))
    assert one_line_error(e) == (
        f'BBN cannot split {backbone["type"]}: its last stage ({where}) has '
        'a single block, and BBN holds out the last of two or more (the '
        'trunk keeps the others)')


def test_a_vit_without_a_feature_vector_fails_in_one_line():
    with pytest.raises(ValueError) as e:
        hold_out_last_block(build(dict(
            type='VisionTransformer', arch=TINY_VIT, img_size=32,
            patch_size=8, out_type='featmap')))
    assert "out_type='featmap'" in one_line_error(e)


def test_a_checkpoint_of_another_architecture_names_the_first_key(
        tmp_path):
    # ViT weights of another width into this ViT.
    wide = plain_model('vit')
    path = str(tmp_path / 'vit.pth')
    save_checkpoint({'state_dict': wide.state_dict()}, path)
    model = build(bbn_cfg('deit', init_cfg=dict(
        type='Pretrained', checkpoint=path, prefix='backbone.')))
    with pytest.raises(ValueError) as e:
        model.init_weights()
    # A 3-layer checkpoint for a 2-layer ViT: layers.2 is the deit
    # branch's plain name only in the 3-layer model.
    assert one_line_error(e) == (
        f'BBN trunk VisionTransformer: {path} has backbone.layers.2.ln1.'
        'weight, which this trunk does not have (weights of another '
        'architecture or depth?)')


BASE_MODELS = sorted(glob.glob(osp.join(CONFIGS, '_base_', 'models',
                                        'bbn_*.py')))


@pytest.mark.parametrize('path', BASE_MODELS, ids=osp.basename)
def test_every_base_model_is_the_plain_backbone_plus_one_block(path):
    cfg = Config.fromfile(path)
    model = build(cfg.model)
    plain = build({k: v for k, v in cfg.model.backbone.items()
                   if k != 'split_last_block'})
    held = model.backbone.last_block
    assert count_parameters(model.backbone) + count_parameters(
        model.neck) == count_parameters(plain) + count_parameters(
            model.neck.rebalancing)
    assert model.head.in_channels == 2 * held.out_channels
    has_bn = any(isinstance(m, torch.nn.BatchNorm2d) for m in plain.modules())
    assert model.joint_pass is not has_bn
    hooks = [h.type for h in cfg.custom_hooks]
    assert hooks == ['CumulativeAlphaHook']
