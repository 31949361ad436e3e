import math
import os.path as osp

import numpy as np
import pytest
from mmengine.runner import Runner

from mmbbn.engine import CumulativeAlphaHook, cumulative_alpha, official_t_max
from ...runner_cfg import tiny_bbn_cfg


@pytest.mark.parametrize('schedule,epoch,expected', [
    ('parabolic_decay', 0, 1.0),
    ('parabolic_decay', 100, 0.75),
    ('parabolic_decay', 199, 1 - (199 / 200)**2),
    ('cosine_decay', 0, 1.0),
    ('cosine_decay', 100, math.cos(math.pi / 4)),
    ('linear_decay', 50, 0.75),
    ('linear_decay', 199, 0.005),
    ('equal', 7, 0.5),
    ('parabolic_increment', 0, 0.0),
    ('parabolic_increment', 100, 0.25),
    ('step', 119, 1.0),
    ('step', 120, 0.0),
])
def test_schedules_at_chosen_epochs(schedule, epoch, expected):
    assert cumulative_alpha(schedule, epoch, 200, step_at=120) == \
        pytest.approx(expected)


def test_paper_endpoints_of_the_default():
    first = cumulative_alpha('parabolic_decay', 0, 200)
    last = cumulative_alpha('parabolic_decay', 199, 200)
    assert first == 1.0 and round(last, 2) == 0.01


def test_beta_draws_are_reproducible_and_u_shaped():
    draws = np.array([cumulative_alpha('beta', 0, 10, seed=3, draw=i)
                      for i in range(4000)])
    again = [cumulative_alpha('beta', 0, 10, seed=3, draw=i)
             for i in range(4000)]
    assert draws.tolist() == again
    assert np.all((draws >= 0) & (draws <= 1))
    assert abs(draws.mean() - 0.5) < 0.03
    # Beta(0.2, 0.2) puts most mass near 0 and 1.
    assert ((draws < 0.1) | (draws > 0.9)).mean() > 0.55


def test_official_t_quirk():
    assert official_t_max(90) == 100
    assert official_t_max(180) == 200
    assert official_t_max(200) == 200
    assert round(cumulative_alpha('parabolic_decay', 179, 200), 3) == 0.199


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match="schedule='quadratic'"):
        CumulativeAlphaHook(schedule='quadratic')
    with pytest.raises(ValueError, match='t_max=0'):
        CumulativeAlphaHook(t_max=0)
    with pytest.raises(ValueError, match='beta=0'):
        CumulativeAlphaHook(beta=0)
    with pytest.raises(ValueError, match="schedule='x'"):
        cumulative_alpha('x', 0, 1)


def alpha_history(runner):
    buf = runner.message_hub.get_scalar('train/alpha')
    return buf.data[0].tolist()


@pytest.mark.slow
def test_hook_sets_and_logs_alpha_every_iteration(cifar10_tiny, tmp_path):
    cfg = tiny_bbn_cfg(cifar10_tiny, str(tmp_path), max_epochs=3)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10)
    runner = Runner.from_cfg(cfg)
    runner.train()
    per_epoch = len(runner.train_dataloader)
    history = alpha_history(runner)
    assert len(history) == 3 * per_epoch
    expected = [1 - (e / 3)**2 for e in range(3) for _ in range(per_epoch)]
    assert np.allclose(history, expected)
    assert runner.model.head.alpha == pytest.approx(1 - (2 / 3)**2)
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        log = f.read()
    assert 'alpha: 1.0000' in log and 'alpha: 0.5556' in log


@pytest.mark.slow
def test_iteration_based_loop(cifar10_tiny, tmp_path):
    cfg = tiny_bbn_cfg(cifar10_tiny, str(tmp_path))
    cfg.train_cfg = dict(by_epoch=False, max_iters=8, val_interval=100)
    cfg.param_scheduler = []
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100,
                                        by_epoch=False)
    cfg.custom_hooks = [dict(type='CumulativeAlphaHook',
                             schedule='linear_decay')]
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert np.allclose(alpha_history(runner), [1 - i / 8 for i in range(8)])


@pytest.mark.slow
def test_hook_refuses_a_model_without_alpha(cifar10_tiny, tmp_path):
    cfg = tiny_bbn_cfg(cifar10_tiny, str(tmp_path), max_epochs=1)
    cfg.model = dict(
        type='ImageClassifier',
        backbone=dict(type='CifarResNet', depth=20),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=64))
    cfg.train_dataloader.dataset = cfg.train_dataloader.dataset.dataset
    cfg.train_dataloader.sampler = dict(type='DefaultSampler')
    runner = Runner.from_cfg(cfg)
    with pytest.raises(TypeError, match='BBNHead'):
        runner.train()


@pytest.mark.slow
def test_step_past_the_end_fails_before_training(cifar10_tiny, tmp_path):
    cfg = tiny_bbn_cfg(cifar10_tiny, str(tmp_path), max_epochs=2)
    cfg.custom_hooks = [dict(type='CumulativeAlphaHook', schedule='step',
                             step_at=5)]
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match='step_at=5 is past the end'):
        runner.train()
    assert runner.iter == 0
