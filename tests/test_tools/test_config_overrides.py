"""tools/utils/config_overrides.py: swap a config's data or schedule."""
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from ..conftest import CONFIGS, TOOLS

if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.config_overrides import (replace_dataset,  # noqa: E402
                                    replace_schedule, rescale_epochs)
from utils.experiment import prepare_config  # noqa: E402

BASE = osp.join(CONFIGS, '_base_')
DIGITS = osp.join(BASE, 'datasets', 'digits_lt.py')
CIFAR100 = osp.join(BASE, 'datasets', 'cifar100_lt.py')


def cfg_of(*parts):
    return Config.fromfile(osp.join(CONFIGS, *parts))


def test_dataset_swap_keeps_the_method_and_fits_the_model():
    cfg = cfg_of('baselines', 'ce_drs',
                 'ce-drs_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    replace_dataset(cfg, DIGITS)
    assert cfg.train_dataloader.dataset.type == 'SeededDataset'
    assert cfg.train_dataloader.dataset.dataset.type == 'DigitsLT'
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.train_dataloader.sampler == dict(
        type='ClassAwareSampler', shuffle=True, rebalance='shuffle')
    assert cfg.val_dataloader.dataset.type == 'DigitsLT'
    assert cfg.data_preprocessor.num_classes == 10
    assert cfg.model.backbone.in_channels == 1
    assert cfg.custom_hooks[0].type == 'DeferredResamplingHook'

    cfg = cfg_of('baselines', 'ldam_drw',
                 'ldam-drw_resnet32_1xb32-200e_digits-lt.py')
    replace_dataset(cfg, CIFAR100)
    assert cfg.model.head.num_classes == 100
    assert cfg.model.head.type == 'NormLinearClsHead'
    assert cfg.model.backbone.in_channels == 3
    assert cfg.test_dataloader.dataset.type == 'CIFAR100LT'


def test_dataset_swap_keeps_bbns_pair_wrapper():
    cfg = cfg_of('bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')
    replace_dataset(cfg, osp.join(BASE, 'datasets', 'cifar10_lt.py'))
    data = cfg.train_dataloader.dataset
    assert data.type == 'DualSampleDataset'
    assert data.dataset.type == 'CIFAR10LT'
    assert data.dataset.imbalance_factor == 100
    assert cfg.train_dataloader.sampler.type == 'DualSampler'


def test_not_a_data_set_file_is_refused():
    with pytest.raises(ValueError, match='not a data set file'):
        replace_dataset(cfg_of('bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py'),
                        osp.join(BASE, 'schedules', 'digits_lt_bs32_200e.py'))


def test_schedule_swap_keeps_the_methods_paramwise_cfg():
    cfg = cfg_of('baselines', 'cb_focal',
                 'cb-focal_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    replace_schedule(cfg, osp.join(BASE, 'schedules',
                                   'cifar_lt_bs128_200e.py'))
    assert cfg.optim_wrapper.optimizer.nesterov is True
    assert cfg.param_scheduler[1].milestones == [119, 159]
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {
        'head.fc.bias': dict(decay_mult=0.)
    }


def test_epochs_rescale_milestones_warmup_and_switches():
    cfg = cfg_of('baselines', 'ce_drw',
                 'ce-drw_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    rescale_epochs(cfg, 20)
    warmup, steps = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == 20
    assert steps.milestones == [16, 18]
    assert (warmup.begin, warmup.end) == (0, 1)  # 5 / 10 rounds to 0 -> 1
    assert warmup.convert_to_iter_based is True
    assert cfg.custom_hooks[0].switch_epoch == 16

    cfg = cfg_of('baselines', 'ce_drw',
                 'ce-drw_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    rescale_epochs(cfg, 1)
    assert cfg.custom_hooks[0].switch_epoch == 0  # stays inside the run
    assert cfg.param_scheduler[1].milestones == [1, 1]

    cfg = cfg_of('decoupling', 'crt_resnet32_1xb32-30e_digits-lt.py')
    rescale_epochs(cfg, 3)
    assert (cfg.param_scheduler[0].T_max, cfg.param_scheduler[0].end) == (3,
                                                                          3)
    with pytest.raises(ValueError, match='epochs=0'):
        rescale_epochs(cfg, 0)


def lr_trajectory(cfg, epoch_length=4):
    """Per-iteration lr of cfg's schedulers, stepped as the Runner does."""
    import torch
    from mmengine.registry import PARAM_SCHEDULERS
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = []
    for sched in cfg.param_scheduler:
        sched = dict(sched, optimizer=opt)
        if sched.get('convert_to_iter_based'):
            sched['epoch_length'] = epoch_length
        schedulers.append(PARAM_SCHEDULERS.build(sched))
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs):
        epoch = []
        for _ in range(epoch_length):
            epoch.append(opt.param_groups[0]['lr'])
            opt.step()
            for s in schedulers:
                if not s.by_epoch:
                    s.step()
        lrs.append(epoch)
        for s in schedulers:
            if s.by_epoch:
                s.step()
    return lrs


@pytest.mark.parametrize('parts', [
    ('bbn', 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py'),
    ('baselines', 'ce_drw', 'ce-drw_resnet32_1xb128-200e_cifar10-lt-ir100.py')
])
def test_a_shortened_warmup_still_reaches_the_full_lr(parts):
    cfg = cfg_of(*parts)
    base = cfg.optim_wrapper.optimizer.lr
    rescale_epochs(cfg, 10)
    lrs = lr_trajectory(cfg)
    warmup, steps = cfg.param_scheduler
    assert lrs[0][0] == pytest.approx(base * warmup.start_factor)
    assert lrs[0][-1] == pytest.approx(base)  # warmed up within epoch 0
    first, second = steps.milestones
    assert lrs[first - 1] == pytest.approx([base] * 4)
    assert lrs[first] == pytest.approx([base * steps.gamma] * 4)
    assert lrs[-1] == pytest.approx([base * steps.gamma**2] * 4)
    # Unscaled, the 5-epoch warm-up stays epoch-based and ends at epoch 4.
    cfg = cfg_of(*parts)
    assert not cfg.param_scheduler[0].get('convert_to_iter_based')
    lrs = lr_trajectory(cfg, epoch_length=1)
    assert lrs[3][0] < base and lrs[4][0] == pytest.approx(base)


def test_prepare_config_applies_everything_in_order():
    cfg = prepare_config(
        osp.join(CONFIGS, 'baselines', 'rs',
                 'rs_resnet32_1xb128-200e_cifar10-lt-ir100.py'),
        data=DIGITS,
        schedule=osp.join(BASE, 'schedules', 'digits_lt_bs32_200e.py'),
        epochs=10, seed=3,
        cfg_options={'train_dataloader.dataset.dataset.imbalance_factor': 10})
    assert cfg.train_dataloader.dataset.dataset.type == 'DigitsLT'
    assert cfg.train_dataloader.dataset.dataset.imbalance_factor == 10
    assert cfg.train_dataloader.sampler.type == 'ClassAwareSampler'
    assert cfg.param_scheduler[1].milestones == [6, 8]
    assert cfg.randomness.seed == 3
