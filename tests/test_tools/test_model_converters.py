"""tools/model_converters: official BBN weights in, published weights out.

The reference forward passes below are written here from the paper and the
official key layout (functional torch over the official state dict): the
official code is not imported.
"""
import hashlib
import importlib.util
import os.path as osp
import re
import subprocess
from collections import OrderedDict
from datetime import datetime

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmbbn.registry import MODELS
from ..conftest import CONFIGS, TOOLS

CONVERTER = osp.join(TOOLS, 'model_converters', 'bbn_official_to_mmbbn.py')
PUBLISHER = osp.join(TOOLS, 'model_converters', 'publish_model.py')


def load_tool(path):
    spec = importlib.util.spec_from_file_location(
        osp.splitext(osp.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- official layouts, random weights --------------------------------------

class Weights:
    """Builds an official-layout state dict with well-scaled random values."""

    def __init__(self, prefix, seed):
        self.prefix = prefix
        self.gen = torch.Generator().manual_seed(seed)
        self.state = OrderedDict()

    def conv(self, name, cout, cin, k):
        std = (2.0 / (cin * k * k))**0.5
        self.state[f'{self.prefix}{name}.weight'] = torch.randn(
            cout, cin, k, k, generator=self.gen) * std

    def bn(self, name, c):
        p = f'{self.prefix}{name}.'
        self.state[p + 'weight'] = torch.rand(c, generator=self.gen) + 0.5
        self.state[p + 'bias'] = torch.randn(c, generator=self.gen) * 0.1
        self.state[p + 'running_mean'] = torch.randn(
            c, generator=self.gen) * 0.1
        self.state[p + 'running_var'] = torch.rand(c, generator=self.gen) + .5
        self.state[p + 'num_batches_tracked'] = torch.tensor(100)

    def linear(self, name, cout, cin):
        self.state[f'{self.prefix}{name}.weight'] = torch.randn(
            cout, cin, generator=self.gen) / cin**0.5
        self.state[f'{self.prefix}{name}.bias'] = torch.randn(
            cout, generator=self.gen)


def official_resnet50(num_classes, seed=0):
    """``module.backbone.*`` / ``module.classifier.*`` of BBN ResNet-50."""
    w = Weights('module.', seed)
    w.conv('backbone.conv1', 64, 3, 7)
    w.bn('backbone.bn1', 64)
    inplanes = 64
    # The BBN trunk: layer4 keeps 2 of its 3 bottlenecks.
    for layer, (planes, blocks) in enumerate(
            [(64, 3), (128, 4), (256, 6), (512, 2)], 1):
        for b in range(blocks):
            stride = 2 if layer > 1 and b == 0 else 1
            name = f'backbone.layer{layer}.{b}'
            bottleneck(w, name, inplanes, planes, stride)
            inplanes = planes * 4
    for branch in ('cb_block', 'rb_block'):
        bottleneck(w, f'backbone.{branch}', 2048, 512, 1)
    w.linear('classifier', num_classes, 4096)
    return w.state


def bottleneck(w, name, inplanes, planes, stride):
    w.conv(f'{name}.conv1', planes, inplanes, 1)
    w.bn(f'{name}.bn1', planes)
    w.conv(f'{name}.conv2', planes, planes, 3)
    w.bn(f'{name}.bn2', planes)
    w.conv(f'{name}.conv3', planes * 4, planes, 1)
    w.bn(f'{name}.bn3', planes * 4)
    if stride != 1 or inplanes != planes * 4:
        w.conv(f'{name}.downsample.0', planes * 4, inplanes, 1)
        w.bn(f'{name}.downsample.1', planes * 4)


def official_resnet32_cifar(num_classes, seed=0):
    """``backbone.*`` / ``classifier.*`` of BBN ResNet-32 (CIFAR)."""
    w = Weights('', seed)
    w.conv('backbone.conv1', 16, 3, 3)
    w.bn('backbone.bn1', 16)
    inplanes = 16
    # 5 BasicBlocks per stage; the trunk's layer3 keeps 4.
    for layer, (planes, blocks) in enumerate([(16, 5), (32, 5), (64, 4)], 1):
        for b in range(blocks):
            basic_block(w, f'backbone.layer{layer}.{b}', inplanes, planes)
            inplanes = planes
    for branch in ('cb_block', 'rb_block'):
        basic_block(w, f'backbone.{branch}', 64, 64)
    w.linear('classifier', num_classes, 128)
    return w.state


def basic_block(w, name, inplanes, planes):
    # Option-A shortcuts have no weights.
    w.conv(f'{name}.conv1', planes, inplanes, 3)
    w.bn(f'{name}.bn1', planes)
    w.conv(f'{name}.conv2', planes, planes, 3)
    w.bn(f'{name}.bn2', planes)


# -- reference forwards over the official state dicts ----------------------

def bn(x, sd, name):
    return F.batch_norm(x, sd[f'{name}.running_mean'],
                        sd[f'{name}.running_var'], sd[f'{name}.weight'],
                        sd[f'{name}.bias'], training=False, eps=1e-5)


def ref_bottleneck(x, sd, name, stride):
    out = F.relu(bn(F.conv2d(x, sd[f'{name}.conv1.weight']), sd,
                    f'{name}.bn1'))
    out = F.relu(bn(F.conv2d(out, sd[f'{name}.conv2.weight'], stride=stride,
                             padding=1), sd, f'{name}.bn2'))
    out = bn(F.conv2d(out, sd[f'{name}.conv3.weight']), sd, f'{name}.bn3')
    if f'{name}.downsample.0.weight' in sd:
        x = bn(F.conv2d(x, sd[f'{name}.downsample.0.weight'], stride=stride),
               sd, f'{name}.downsample.1')
    return F.relu(out + x)


def ref_basic_block(x, sd, name, stride):
    out = F.relu(bn(F.conv2d(x, sd[f'{name}.conv1.weight'], stride=stride,
                             padding=1), sd, f'{name}.bn1'))
    out = bn(F.conv2d(out, sd[f'{name}.conv2.weight'], padding=1), sd,
             f'{name}.bn2')
    if stride != 1 or x.shape[1] != out.shape[1]:
        # Option A: subsample, then zero channels split on both sides.
        pad = (out.shape[1] - x.shape[1]) // 2
        x = F.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, pad, pad))
    return F.relu(out + x)


def ref_bbn_logits(x, sd, stem, block, stages):
    """BBN at test time: both branches on the trunk's output, then
    ``z = W [GAP(f_c), GAP(f_r)] + b`` (paper, Sec. 3 / official layout)."""
    sd = {k[len('module.'):] if k.startswith('module.') else k: v
          for k, v in sd.items()}
    x = stem(x, sd)
    for layer, blocks in enumerate(stages, 1):
        for b in range(blocks):
            stride = 2 if layer > 1 and b == 0 else 1
            x = block(x, sd, f'backbone.layer{layer}.{b}', stride)
    f_c = block(x, sd, 'backbone.cb_block', 1).mean(dim=(2, 3))
    f_r = block(x, sd, 'backbone.rb_block', 1).mean(dim=(2, 3))
    return F.linear(torch.cat([f_c, f_r], dim=1), sd['classifier.weight'],
                    sd['classifier.bias'])


def resnet50_stem(x, sd):
    x = F.relu(bn(F.conv2d(x, sd['backbone.conv1.weight'], stride=2,
                           padding=3), sd, 'backbone.bn1'))
    return F.max_pool2d(x, 3, stride=2, padding=1)


def cifar_stem(x, sd):
    return F.relu(bn(F.conv2d(x, sd['backbone.conv1.weight'], padding=1), sd,
                     'backbone.bn1'))


def build(model_cfg):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(model_cfg).eval()


def test_official_resnet50_inat_converts_to_equal_logits(tmp_path, capsys):
    official = official_resnet50(num_classes=12)
    src = str(tmp_path / 'BBN.iNaturalist2018.res50.180epoch.best_model.pth')
    torch.save({'state_dict': official, 'epoch': 180, 'best_result': 0.7},
               src)
    dst = str(tmp_path / 'bbn_r50_inat.pth')
    load_tool(CONVERTER).main([src, dst])
    out = capsys.readouterr().out
    assert 'ResNet-50 trunk' in out and '12 classes' in out

    model = build(dict(
        type='BBNClassifier',
        backbone=dict(type='BBNResNet', depth=50, split_last_block=True),
        neck=dict(type='BBNNeck'),
        head=dict(type='BBNHead', num_classes=12, in_channels=4096),
        data_preprocessor=dict(num_classes=12)))
    # strict: every mmbbn weight comes from the file, none is left over.
    ckpt = load_checkpoint(model, dst, strict=True)
    assert ckpt['meta']['epoch'] == 180
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        got = model(x, mode='tensor')
        expected = ref_bbn_logits(x, official, resnet50_stem,
                                  ref_bottleneck, (3, 4, 6, 2))
    assert got.shape == (2, 12)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_official_resnet32_cifar_converts_to_equal_logits(tmp_path):
    official = official_resnet32_cifar(num_classes=10)
    src = str(tmp_path / 'cifar10_best_model.pth')
    torch.save({'state_dict': official}, src)
    dst = str(tmp_path / 'bbn_r32_cifar10.pth')
    load_tool(CONVERTER).main([src, dst])
    # The shipped CIFAR-10-LT config's model, as users build it.
    cfg = Config.fromfile(osp.join(
        CONFIGS, 'bbn', 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py'))
    model = build(cfg.model)
    load_checkpoint(model, dst, strict=True)
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        got = model(x, mode='tensor')
        expected = ref_bbn_logits(x, official, cifar_stem, ref_basic_block,
                                  (5, 5, 4))
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_converter_refuses_what_is_not_official_bbn(tmp_path):
    tool = load_tool(CONVERTER)
    official = official_resnet32_cifar(num_classes=10)
    for broken, reason in (
        ({k: v for k, v in official.items() if k != 'classifier.bias'},
         'classifier.bias is missing'),
        ({k: v for k, v in official.items() if 'rb_block' not in k},
         'no weights for neck.rebalancing.*'),
        ({**official, 'projector.weight': torch.zeros(1)},
         "'projector.weight' is not a weight of the official BBN networks"),
    ):
        src = str(tmp_path / 'bad.pth')
        torch.save({'state_dict': broken}, src)
        with pytest.raises(SystemExit) as e:
            tool.main([src, str(tmp_path / 'out.pth')])
        assert str(e.value).startswith(f'{src}: {reason}'), str(e.value)
        assert '\n' not in str(e.value)


# -- publishing ---------------------------------------------------------------

def test_publish_keeps_state_dict_and_meta_only(tmp_path, python):
    state = official_resnet32_cifar(10)
    run_ckpt = str(tmp_path / 'epoch_200.pth')
    torch.save({
        'meta': {'epoch': 200, 'dataset_meta': {'classes': ('a', 'b')}},
        'state_dict': state,
        'optimizer': {'state': {}, 'param_groups': [{'lr': 0.1}]},
        'param_schedulers': [{'base_lrs': [0.1]}],
        'message_hub': {'log_scalars': {'train/loss': HistoryBuffer(
            np.array([1.0]), np.array([1]))}},
    }, run_ckpt)
    out = subprocess.run(
        [python, PUBLISHER, run_ckpt, str(tmp_path / 'bbn_model.pth')],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    today = datetime.now().strftime('%Y%m%d')
    published = [p for p in tmp_path.iterdir()
                 if p.name.startswith('bbn_model_')]
    assert len(published) == 1
    match = re.fullmatch(rf'bbn_model_{today}-([0-9a-f]{{8}})\.pth',
                         published[0].name)
    assert match, published[0].name
    data = published[0].read_bytes()
    assert hashlib.sha256(data).hexdigest()[:8] == match.group(1)
    assert str(published[0]) in out.stdout
    # Plain torch, no mmbbn allowlist: only tensors and plain data remain.
    check = subprocess.run(
        [python, '-c', 'import sys, torch; c = torch.load(sys.argv[1], '
         'weights_only=True); print(sorted(c), c["meta"]["epoch"])',
         str(published[0])], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stdout.split('\n')[0] == "['meta', 'state_dict'] 200"
    ckpt = torch.load(str(published[0]), weights_only=True)
    for key, value in state.items():
        assert torch.equal(ckpt['state_dict'][key], value)
