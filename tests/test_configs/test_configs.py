"""Every shipped config parses, builds its model, and keeps its promises."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmbbn.models import count_parameters
from mmbbn.registry import MODELS
from ..conftest import CONFIGS

ALL = sorted(f for f in glob.glob(osp.join(CONFIGS, '**', '*.py'),
                                  recursive=True) if '_base_' not in f)


def rel(path):
    return osp.relpath(path, CONFIGS)


@pytest.mark.parametrize('path', ALL, ids=rel)
def test_config_loads_mmbbn_and_builds_its_model(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert 'mmbbn' in cfg.custom_imports['imports']
    model = MODELS.build(cfg.model)
    assert model.head.num_classes == cfg.data_preprocessor.num_classes
    name = osp.basename(path)
    if name.startswith('bbn_'):
        assert cfg.train_dataloader.dataset.type == 'DualSampleDataset'
        assert cfg.train_dataloader.sampler.type == 'DualSampler'
        hooks = [h.type for h in cfg.custom_hooks]
        assert 'CumulativeAlphaHook' in hooks


@pytest.mark.parametrize('path', [p for p in ALL if 'cifar' in p], ids=rel)
def test_cifar_configs_follow_the_official_schedule(path):
    cfg = Config.fromfile(path)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay,
            opt.nesterov) == ('SGD', 0.1, 0.9, 2e-4, True)
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end) == ('LinearLR',
                                                              1 / 3, 5)
    assert (steps.milestones, steps.gamma) == ([120, 160], 0.01)
    assert cfg.train_cfg.max_epochs == 200
    assert cfg.train_dataloader.batch_size == 128
    data = cfg.train_dataloader.dataset
    data = data.get('dataset', data)
    ir = int(path.split('-ir')[-1].split('.')[0])
    assert data.imbalance_factor == ir
    classes = 100 if 'cifar100' in path else 10
    assert cfg.model.head.num_classes == classes


def test_bbn_resnet32_config_has_the_official_size():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py'))
    model = MODELS.build(cfg.model)
    assert count_parameters(model.backbone) + count_parameters(
        model.neck) == 537488
