"""Every shipped config parses, builds its model, and keeps its promises."""
import glob
import os.path as osp
import re

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


def in_dirs(*dirs):
    return [p for p in ALL if any(rel(p).startswith(d + '/') for d in dirs)]


# The BBN paper's CIFAR runs and the CE baseline trained like them.
BBN_SCHEDULE = [p for p in in_dirs('bbn', 'baselines') if 'cifar' in p and (
    rel(p).startswith(('bbn/', 'baselines/ce/')) or '-bbn-schedule_' in p)]
# The other baselines follow Cao et al. (LDAM-DRW) / Cui et al. (CB).
CAO_SCHEDULE = [p for p in in_dirs('baselines') if 'cifar' in p
                and p not in BBN_SCHEDULE]
DIGITS = [p for p in ALL if p.endswith('200e_digits-lt.py')]


def official_cifar_lr(epoch: int) -> float:
    """The official trainer's lr in 1-based ``epoch`` (WarmupMultiStepLR).

    It steps its scheduler at the start of each epoch from 1: linear
    warm-up from lr / 3 over 5 epochs, x0.01 at epochs 120 and 160.
    """
    warmup = 1 / 3 * (1 - epoch / 5) + epoch / 5 if epoch < 5 else 1.0
    return 0.1 * warmup * 0.01**sum(epoch >= m for m in (120, 160))


def test_official_cifar_lr_formula_matches_the_reported_warm_up():
    assert [round(official_cifar_lr(e), 4) for e in range(1, 7)] == [
        0.0467, 0.06, 0.0733, 0.0867, 0.1, 0.1]
    assert official_cifar_lr(119) == 0.1
    assert official_cifar_lr(120) == pytest.approx(1e-3)
    assert official_cifar_lr(160) == pytest.approx(1e-5)


@pytest.mark.parametrize('path', BBN_SCHEDULE, ids=rel)
def test_cifar_configs_follow_the_official_schedule(path):
    cfg = Config.fromfile(path)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay,
            opt.nesterov) == ('SGD', 0.1, 0.9, 2e-4, True)
    assert cfg.train_cfg.max_epochs == 200
    # MMEngine's 0-based epoch e is the official 1-based epoch e + 1.
    assert lr_per_epoch(cfg) == pytest.approx(
        [official_cifar_lr(e + 1) for e in range(200)], rel=1e-9)
    assert cfg.train_dataloader.batch_size == 128
    data = cfg.train_dataloader.dataset
    data = data.get('dataset', data)
    ir = int(path.split('-ir')[-1].split('.')[0])
    assert data.imbalance_factor == ir
    classes = 100 if 'cifar100' in path else 10
    assert cfg.model.head.num_classes == classes
    for hook in cfg.get('custom_hooks', []):
        if hook.type.startswith('Deferred'):  # at BBN's first lr drop
            assert hook.switch_epoch == 119


def test_zero_based_schedule_is_the_earlier_mmengine_reading():
    cfg = Config.fromfile(osp.join(
        CONFIGS, '_base_', 'schedules', 'cifar_lt_bs128_200e_zero_based.py'))
    cfg.train_cfg = dict(max_epochs=200)
    lrs = lr_per_epoch(cfg)
    # LinearLR from 1/3 to 1 over epochs 0..4, x0.01 at 0-based 120, 160.
    assert lrs[:6] == pytest.approx([0.1 * f for f in (
        1 / 3, 1 / 2, 2 / 3, 5 / 6, 1, 1)])
    assert lrs[119:121] == pytest.approx([0.1, 1e-3])
    assert lrs[159:161] == pytest.approx([1e-3, 1e-5])
    # One epoch after the official decays (0-based 119 and 159).
    assert lrs[119] != pytest.approx(official_cifar_lr(120))


def test_bbn_resnet32_config_has_the_official_size():
    cfg = Config.fromfile(osp.join(
        CONFIGS, 'bbn', 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py'))
    model = MODELS.build(cfg.model)
    assert count_parameters(model.backbone) + count_parameters(
        model.neck) == 537488


LARGE = {
    # data: (classes, (data set, train / val / test splits))
    'inat2018': (8142, ('INaturalist2018', 'train', 'val', 'val')),
    'inat2017': (5089, ('INaturalist2017', 'train', 'val', 'val')),
    'imagenet-lt': (1000, ('ImageNetLT', 'train', 'val', 'test')),
    'places-lt': (365, ('PlacesLT', 'train', 'val', 'test')),
}
SCHEDULES = {
    # epochs: (lr milestones, lr, weight decay)
    90: ([60, 80], 0.05, 1e-4),  # BBN paper, iNaturalist 1x
    180: ([120, 160], 0.05, 1e-4),  # official iNaturalist configs (2x)
    30: ([10, 20], 0.01, 5e-4),  # Places-LT fine-tuning (OLTR's recipe)
}


@pytest.mark.parametrize(
    'path', [p for p in ALL if 'resnet50_4xb32' in p], ids=rel)
def test_large_configs_follow_their_recipe(path):
    cfg = Config.fromfile(path)
    data = osp.basename(path)[:-3].split('_')[-1]
    classes, (dataset, *splits) = LARGE[data]
    epochs = int(re.search(r'-(\d+)e_', osp.basename(path)).group(1))
    milestones, lr, wd = SCHEDULES[epochs]
    assert cfg.model.head.num_classes == classes
    assert cfg.train_cfg.max_epochs == epochs
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay,
            opt.nesterov) == ('SGD', lr, 0.9, wd, True)
    (steps, ) = cfg.param_scheduler  # no warm-up in BBN's large runs
    assert (steps.type, steps.milestones, steps.gamma) == ('MultiStepLR',
                                                           milestones, 0.1)
    # 4 GPUs x 32: the official batch of 128.
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.auto_scale_lr.base_batch_size == 128
    train = cfg.train_dataloader.dataset
    train = train.get('dataset', train)
    loaders = (train, cfg.val_dataloader.dataset, cfg.test_dataloader.dataset)
    assert [d.type for d in loaders] == [dataset] * 3
    assert [d.split for d in loaders] == splits
    assert [t.type for t in train.pipeline] == [
        'LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip', 'PackInputs'
    ]
    assert train.pipeline[1].scale == 224
    test = [(t.type, t.get('scale', t.get('crop_size')))
            for t in cfg.test_dataloader.dataset.pipeline]
    assert test == [('LoadImageFromFile', None), ('ResizeEdge', 256),
                    ('CenterCrop', 224), ('PackInputs', None)]
    assert cfg.test_evaluator.type == 'LongTailMetric'
    assert cfg.default_hooks.checkpoint.save_best == 'lt/top1'
    if osp.basename(path).startswith('bbn_'):
        model = MODELS.build(cfg.model)
        assert len(model.backbone.layer4) == 2  # the 3rd is each branch
        assert model.head.in_channels == 4096
        hook = cfg.custom_hooks[0]
        assert (hook.type, hook.official_t_quirk) == ('CumulativeAlphaHook',
                                                      False)
    pretrained = cfg.model.backbone.get('init_cfg')
    assert (pretrained is not None) == (data == 'places-lt')


def cao_lr(epoch, base=0.1):
    """Cao et al.'s adjust_learning_rate (LDAM-DRW, cifar_train.py)."""
    epoch = epoch + 1
    if epoch <= 5:
        return base * epoch / 5
    if epoch > 180:
        return base * 1e-4
    if epoch > 160:
        return base * 0.01
    return base


def lr_per_epoch(cfg):
    import torch
    from mmengine.registry import PARAM_SCHEDULERS
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = [PARAM_SCHEDULERS.build(dict(s, optimizer=opt))
                  for s in cfg.param_scheduler]
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        for sched in schedulers:
            sched.step()
    return lrs


def test_counts_are_checked():
    assert len(BBN_SCHEDULE) == 15
    assert len(CAO_SCHEDULE) == 9 * 6
    assert len(DIGITS) == 14


@pytest.mark.parametrize('path', CAO_SCHEDULE, ids=rel)
def test_baselines_follow_cao_et_als_cifar_schedule(path):
    cfg = Config.fromfile(path)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay,
            opt.nesterov) == ('SGD', 0.1, 0.9, 2e-4, False)
    assert cfg.train_cfg.max_epochs == 200
    assert cfg.train_dataloader.batch_size == 128
    # Epoch by epoch, the lr of Cao et al.'s code: lr (e + 1) / 5 for the
    # first 5 epochs, x0.01 from epoch 160 and again from 180.
    lrs = lr_per_epoch(cfg)
    assert lrs == pytest.approx([cao_lr(e) for e in range(200)], rel=1e-9)
    for hook in cfg.get('custom_hooks', []):
        if hook.type.startswith('Deferred'):
            assert hook.switch_epoch == 160
    ir = int(path.split('-ir')[-1].split('.')[0])
    # The training set inside the SeededDataset wrapper.
    assert cfg.train_dataloader.dataset.dataset.imbalance_factor == ir
    classes = 100 if 'cifar100' in path else 10
    assert cfg.model.head.num_classes == classes


@pytest.mark.parametrize('path', ALL, ids=rel)
def test_every_training_loader_seeds_its_draws(path):
    """Draws carry their seeds: resume, workers and reruns agree."""
    loader = Config.fromfile(path).train_dataloader
    pairs = osp.basename(path).startswith('bbn_')
    assert loader.dataset.type == ('DualSampleDataset' if pairs else
                                   'SeededDataset')
    assert loader.sampler.type in (('DualSampler', ) if pairs else (
        'SeededSampler', 'ClassAwareSampler'))
    assert 'type' in loader.dataset.dataset


def test_bbns_pair_wrapper_is_written_once():
    files = glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True)
    writing = [rel(p) for p in files if 'DualSampleDataset' in open(p).read()]
    assert writing == [osp.join('_base_', 'datasets', 'bbn_pairs.py')]
    bbn = [p for p in ALL if osp.basename(p).startswith('bbn_')]
    assert len(bbn) == 17
    for path in bbn:
        text = open(path).read()
        assert 'DualSampler' not in text, rel(path)
        assert ('train_dataloader = _base_.bbn_pairs' in text
                or "_base_ = './bbn_" in text
                or "_base_ = ['./bbn_" in text), rel(path)


@pytest.mark.parametrize('path', DIGITS, ids=rel)
def test_every_digits_method_has_the_same_budget(path):
    ref = Config.fromfile(osp.join(CONFIGS, 'baselines', 'ce',
                                   'resnet32_1xb32-200e_digits-lt.py'))
    cfg = Config.fromfile(path)
    assert cfg.optim_wrapper.optimizer == ref.optim_wrapper.optimizer
    assert cfg.param_scheduler == ref.param_scheduler
    assert cfg.train_cfg == ref.train_cfg
    assert cfg.train_dataloader.batch_size == 32
    for hook in cfg.get('custom_hooks', []):
        if hook.type.startswith('Deferred'):
            assert hook.switch_epoch == 160


@pytest.mark.parametrize('path', [p for p in ALL if 'stage1_config' in open(
    p).read()], ids=rel)
def test_second_stages_name_their_first_stage(path):
    cfg = Config.fromfile(path)
    first = osp.normpath(osp.join(osp.dirname(path), cfg.stage1_config))
    assert osp.isfile(first)
    init = cfg.model.backbone.get('init_cfg')
    if init is not None:  # trains a new classifier on a frozen backbone
        assert init.type == 'Pretrained' and init.prefix == 'backbone.'
        assert cfg.model.backbone.frozen_stages == 3
        assert osp.splitext(osp.basename(first))[0] in init.checkpoint
    else:  # tests the first stage's checkpoint
        assert cfg.model.head.type == 'PostHocLinearClsHead'


def test_baseline_recipes():
    def load(*parts):
        return Config.fromfile(osp.join(CONFIGS, 'baselines', *parts))

    cfg = load('ldam_drw', 'ldam-drw_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    assert cfg.model.head.type == 'NormLinearClsHead'
    assert (cfg.model.head.loss.max_margin, cfg.model.head.loss.scale,
            cfg.model.head.loss.beta) == (0.5, 30.0, 0.9999)
    cfg = load('cb_focal', 'cb-focal_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    assert cfg.model.head.loss.use_sigmoid is True
    assert cfg.model.head.init_cfg.bias_prob == 0.1
    cfg = load('ce_drs', 'ce-drs_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    assert cfg.train_dataloader.sampler.rebalance == 'shuffle'
    assert cfg.custom_hooks[0].rebalance == 'balanced'
    runtime = Config.fromfile(osp.join(CONFIGS, '_base_',
                                       'default_runtime.py'))
    assert runtime.default_hooks.class_counts.type == 'ClassCountsHook'


def test_the_mixed_precision_config_changes_only_precision_and_layout():
    def load(name):
        return Config.fromfile(osp.join(CONFIGS, 'bbn', name))

    fp32 = load('bbn_resnet50_4xb32-180e_inat2018.py')
    amp = load('bbn_resnet50_4xb32-amp-180e_inat2018.py')
    assert amp.optim_wrapper.type == 'AmpOptimWrapper'
    assert amp.optim_wrapper.optimizer == fp32.optim_wrapper.optimizer
    assert amp.custom_hooks == fp32.custom_hooks + [
        dict(type='ChannelsLastHook')
    ]
    for key in ('model', 'train_dataloader', 'param_scheduler', 'train_cfg',
                'test_dataloader', 'default_hooks'):
        assert amp[key] == fp32[key], key
