"""DRW and DRS with a real Runner: switch, resume, persistent workers."""
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmbbn.datasets import ClassAwareSampler
from mmbbn.engine import DeferredResamplingHook, DeferredReweightingHook
from ...runner_cfg import tiny_cls_cfg

pytestmark = pytest.mark.slow


class Recorder(Hook):
    """Per training step: epoch, DRW state, sample indices of the batch."""

    priority = 'LOWEST'

    def __init__(self):
        self.steps = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        loss = runner.model.head.loss_module
        idx = [s.sample_idx for s in data_batch['data_samples']]
        self.steps.append((runner.epoch, getattr(loss, 'reweighting', None),
                           idx))

    def per_epoch(self, field):
        out = {}
        for step in self.steps:
            out.setdefault(step[0], []).append(step[field])
        return out


class StopAfterFirstEpoch(Hook):

    def after_train_epoch(self, runner):
        if runner.epoch == 0:
            runner.train_loop.stop_training = True


def drw_cfg(root, work_dir, switch_epoch=1, **kwargs):
    cfg = tiny_cls_cfg(root, work_dir, **kwargs)
    cfg.model.head.loss = dict(type='ReweightedCrossEntropyLoss',
                               weighting='effective_number', beta=0.99)
    cfg.custom_hooks = [dict(type='DeferredReweightingHook',
                             switch_epoch=switch_epoch)]
    return cfg


def run(cfg, *hooks):
    runner = Runner.from_cfg(cfg)
    for hook in hooks:
        runner.register_hook(hook)
    runner.train()
    return runner


def test_drw_switches_at_the_epoch_and_resumes_switched(cifar10_tiny,
                                                        tmp_path):
    rec = Recorder()
    full = run(drw_cfg(cifar10_tiny, str(tmp_path / 'a')), rec)
    state = rec.per_epoch(1)
    assert set(state[0]) == {False} and set(state[1]) == {True}

    run(drw_cfg(cifar10_tiny, str(tmp_path / 'b')), StopAfterFirstEpoch())
    rec = Recorder()
    resumed = run(
        drw_cfg(cifar10_tiny, str(tmp_path / 'b'), resume=True,
                load_from=osp.join(str(tmp_path / 'b'), 'epoch_1.pth')),
        rec)
    # Resumed at epoch 1 (of a switch at 1): re-weighted from its first
    # step, and the same weights as the uninterrupted run.
    assert set(rec.per_epoch(1)) == {1}
    assert set(rec.per_epoch(1)[1]) == {True}
    for key, value in full.model.state_dict().items():
        assert torch.equal(resumed.model.state_dict()[key], value), key


def test_drs_switch_reaches_persistent_workers(cifar10_tiny, tmp_path):
    cfg = tiny_cls_cfg(cifar10_tiny, str(tmp_path))
    cfg.train_dataloader.update(
        num_workers=2, persistent_workers=True,
        sampler=dict(type='ClassAwareSampler', rebalance='shuffle'))
    cfg.custom_hooks = [dict(type='DeferredResamplingHook', switch_epoch=1)]
    rec = Recorder()
    runner = run(cfg, rec)
    seen = {e: sum(b, []) for e, b in rec.per_epoch(2).items()}
    sampler = runner.train_dataloader.sampler
    assert isinstance(sampler, ClassAwareSampler)
    assert sampler.rebalance == 'balanced'
    # Epoch 0: a plain pass (each item at most once); epoch 1: exactly the
    # class-balanced draws of the main-process sampler for epoch 1.
    assert len(set(seen[0])) == len(seen[0])
    expected = ClassAwareSampler(runner.train_dataloader.dataset,
                                 rebalance='balanced', seed=sampler.seed)
    expected.set_epoch(1)
    assert seen[1] == [d.index for d in expected][:len(seen[1])]
    assert len(set(seen[1])) < len(seen[1])  # with replacement


def test_drs_resumed_after_the_switch_resamples_from_the_first_step(
        cifar10_tiny, tmp_path):

    def cfg(**kwargs):
        c = tiny_cls_cfg(cifar10_tiny, str(tmp_path), **kwargs)
        c.train_dataloader.sampler = dict(type='ClassAwareSampler',
                                          rebalance='shuffle')
        c.custom_hooks = [dict(type='DeferredResamplingHook',
                               switch_epoch=1)]
        return c

    run(cfg(), StopAfterFirstEpoch())
    rec = Recorder()
    runner = run(cfg(resume=True,
                     load_from=osp.join(str(tmp_path), 'epoch_1.pth')), rec)
    expected = ClassAwareSampler(runner.train_dataloader.dataset,
                                 seed=runner.train_dataloader.sampler.seed)
    expected.set_epoch(1)
    seen = sum(rec.per_epoch(2)[1], [])
    assert seen == [d.index for d in expected][:len(seen)]


@pytest.mark.parametrize('hook,message', [
    (dict(type='DeferredReweightingHook', switch_epoch=2),
     'DeferredReweightingHook: switch_epoch=2 is past the end of training '
     '(max_epochs=2)'),
    (dict(type='DeferredResamplingHook', switch_epoch=5),
     'DeferredResamplingHook: switch_epoch=5 is past the end of training '
     '(max_epochs=2)'),
    (dict(type='DeferredResamplingHook', switch_epoch=1),
     'DeferredResamplingHook: the train sampler SeededSampler cannot '
     "switch modes; use sampler=dict(type='ClassAwareSampler', "
     "rebalance='shuffle')"),
])
def test_bad_switch_settings_fail_before_training(cifar10_tiny, tmp_path,
                                                  hook, message):
    cfg = drw_cfg(cifar10_tiny, str(tmp_path))
    cfg.custom_hooks = [hook]
    rec = Recorder()
    with pytest.raises(ValueError) as e:
        run(cfg, rec)
    assert str(e.value) == message
    assert not rec.steps


def test_drw_without_a_weighted_loss_fails_before_training(cifar10_tiny,
                                                           tmp_path):
    cfg = tiny_cls_cfg(cifar10_tiny, str(tmp_path))
    cfg.custom_hooks = [dict(type='DeferredReweightingHook', switch_epoch=1)]
    with pytest.raises(ValueError, match='no loss of the model weighs'):
        run(cfg)


def test_hook_arguments_are_checked_when_built():
    with pytest.raises(ValueError, match='switch_epoch=-1'):
        DeferredReweightingHook(switch_epoch=-1)
    with pytest.raises(ValueError, match="rebalance='sometimes'"):
        DeferredResamplingHook(rebalance='sometimes')
