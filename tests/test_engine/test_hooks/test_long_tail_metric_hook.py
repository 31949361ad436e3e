"""LongTailMetricHook: per-class JSON, best and last from MMEngine's logs."""
import json
import logging
import os
import os.path as osp
import uuid
from types import SimpleNamespace

import pytest
from mmengine.hooks import CheckpointHook, LoggerHook
from mmengine.logging import MessageHub
from mmengine.runner import Runner

from mmbbn.datasets import long_tail_counts
from mmbbn.engine import LongTailMetricHook
from mmbbn.engine.hooks.long_tail_metric_hook import (RUNS_KEY,
                                                      best_and_last,
                                                      merge_runs)
from ...runner_cfg import tiny_bbn_cfg


@pytest.mark.slow
def test_test_mode_builds_the_training_set_from_the_config(
        cifar10_tiny, tmp_path):
    # No training loop is built by runner.test(): the hook builds the
    # training set of the config (a DualSampleDataset of CIFAR10LT) to
    # count its labels.
    runner = Runner.from_cfg(tiny_bbn_cfg(cifar10_tiny, str(tmp_path)))
    metrics = runner.test()
    assert isinstance(runner._train_loop, dict)  # never built
    saved = json.load(open(osp.join(runner.log_dir,
                                    'long_tail_test.json')))
    counts = long_tail_counts(40, 10, 8)  # IF 8 over 40 images per class
    assert saved['train_class_counts'] == counts
    assert saved['group_sizes'] == dict(many=0, medium=4, few=6)
    assert saved['num_test_images'] == 60
    assert saved['summary']['top1'] == pytest.approx(metrics['lt/top1'])
    assert 'lt/few' in metrics and 'lt/many' in metrics
    log = read_log(runner)
    assert '| many (0 cls) | medium (4 cls) | few (6 cls) |' in log
    assert 'Per-class top-1 (%), by training count:' in log
    assert 'airplane n=40:' in log and 'truck n=5:' in log


@pytest.mark.slow
def test_counts_configured_on_the_metric_are_kept_or_groups_left_out(
        cifar10_tiny, tmp_path):
    given = [300, 300, 50, 50, 50, 50, 10, 10, 10, 10]
    evaluator = dict(type='LongTailMetric', train_class_counts=given)
    broken = dict(type='CIFAR10LT', data_root=str(tmp_path / 'none'),
                  check_md5=False)
    cfg = tiny_bbn_cfg(cifar10_tiny, str(tmp_path), test_evaluator=evaluator)
    cfg.train_dataloader.dataset.dataset = broken
    runner = Runner.from_cfg(cfg)
    runner.test()
    saved = json.load(open(osp.join(runner.log_dir,
                                    'long_tail_test.json')))
    assert saved['train_class_counts'] == given
    assert saved['group_sizes'] == dict(many=2, medium=4, few=4)
    assert 'no training counts' not in read_log(runner)  # never built

    # Without configured counts an unbuildable training set leaves the
    # groups out, with a warning naming why.
    cfg = tiny_bbn_cfg(cifar10_tiny, str(tmp_path / 'b'))
    cfg.train_dataloader.dataset.dataset = broken
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert 'lt/many' not in metrics and metrics['lt/top1'] >= 0
    log = read_log(runner)
    assert 'no training counts, so no many/medium/few accuracy ' \
        '(FileNotFoundError: CIFAR10LT: CIFAR file' in log
    assert 'Per-class top-1 (%):' in log


def read_log(runner) -> str:
    """The text log the runner wrote."""
    return open(osp.join(runner.log_dir,
                         f'{runner.timestamp}.log')).read()


class FakeRunner(SimpleNamespace):
    """The runner fields the hook reads, with MMEngine's own hooks."""

    def __init__(self, log_dir, hooks=(), hub=None):
        logger = logging.getLogger('fake_runner')
        super().__init__(log_dir=str(log_dir), logger=logger, epoch=0,
                         iter=0, _train_loop=None, hooks=list(hooks),
                         message_hub=hub or MessageHub(
                             f'hub_{uuid.uuid4().hex}'))


def write_scalars(log_dir, validations, unit='epoch'):
    """MMEngine's scalar log of a run: a training line, then validations.

    Each validation is ``(step, {key: value})``, written as
    ``LocalVisBackend`` writes it (NaN as NaN).
    """
    path = osp.join(str(log_dir), 'vis_data', 'scalars.json')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'a') as f:
        for step, values in validations:
            train = dict(lr=0.1, loss=1.0, epoch=step, iter=step * 10,
                         step=step * 10 if unit == 'epoch' else step)
            f.write(json.dumps(train) + '\n')
            f.write(json.dumps(dict(values, data_time=0.01, time=0.1,
                                    step=step)) + '\n')


def test_best_and_last_are_reported_and_written(tmp_path, caplog):
    hook = LongTailMetricHook(key='lt/top1')
    runner = FakeRunner(tmp_path)
    hook.before_train(runner)
    write_scalars(tmp_path, [(1, {'lt/top1': 30.0, 'lt/few': float('nan')}),
                             (2, {'lt/top1': 55.5, 'lt/few': 10.0}),
                             (3, {'lt/top1': 41.0, 'lt/few': 12.5})])
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(runner)
    assert 'lt/top1: last 41.00 (epoch 3), best 55.50 (epoch 2)' in \
        caplog.text
    # Strict JSON: NaN becomes null.
    text = (tmp_path / 'best_last.json').read_text()
    assert 'NaN' not in text
    report = json.loads(text)
    assert report['best']['epoch'] == 2 and report['last']['epoch'] == 3
    assert report['history'][0]['lt/few'] is None
    # Results only: MMEngine's timing fields are left out.
    assert report['history'][1] == {'lt/top1': 55.5, 'lt/few': 10.0,
                                    'epoch': 2}
    assert [h['epoch'] for h in report['history']] == [1, 2, 3]
    assert report['runs'] == [dict(log_dir=str(tmp_path), begin=0)]


def test_the_best_is_checkpoint_hooks_best(tmp_path, caplog):
    # CheckpointHook(save_best) keeps the best score (in the message hub,
    # saved in checkpoints); the report names its checkpoint and the
    # first validation with that score.
    ckpt = CheckpointHook(save_best='lt/top1', rule='greater')
    runner = FakeRunner(tmp_path, hooks=[ckpt])
    hook = LongTailMetricHook()
    hook.before_train(runner)
    write_scalars(tmp_path, [(1, {'lt/top1': 50.0}), (2, {'lt/top1': 60.0}),
                             (3, {'lt/top1': 60.0}), (4, {'lt/top1': 20.0})])
    best = str(tmp_path / 'best_lt_top1_epoch_2.pth')
    runner.message_hub.update_info('best_score', 60.0)
    runner.message_hub.update_info('best_ckpt', best)
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(runner)
    assert 'last 20.00 (epoch 4), best 60.00 (epoch 2)' in caplog.text
    report = json.load(open(tmp_path / 'best_last.json'))
    assert report['best_checkpoint'] == best and report['rule'] == 'greater'

    # A metric where less is better is ranked as CheckpointHook ranks it.
    less = CheckpointHook(save_best=['lt/top1', 'lt/ece'],
                          rule=['greater', 'less'])
    runner = FakeRunner(tmp_path / 'ece', hooks=[less])
    hook = LongTailMetricHook(key='lt/ece')
    hook.before_train(runner)
    write_scalars(tmp_path / 'ece', [(1, {'lt/ece': 9.0}),
                                     (2, {'lt/ece': 3.0}),
                                     (3, {'lt/ece': 4.0})])
    runner.message_hub.update_info('best_score_lt/ece', 3.0)
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(runner)
    assert 'lt/ece: last 4.00 (epoch 3), best 3.00 (epoch 2)' in caplog.text


def test_iteration_based_runs_are_reported_by_iteration(tmp_path, caplog):
    # Iteration-based configs log validations by iteration (LoggerHook's
    # log_metric_by_epoch=False), so the steps are iterations.
    runner = FakeRunner(tmp_path,
                        hooks=[LoggerHook(log_metric_by_epoch=False)])
    hook = LongTailMetricHook()
    hook.before_train(runner)
    write_scalars(tmp_path, [(500, {'lt/top1': 20.0}),
                             (1000, {'lt/top1': 10.0})], unit='iter')
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(runner)
    assert 'last 10.00 (iter 1000), best 20.00 (iter 500)' in caplog.text
    report = json.load(open(tmp_path / 'best_last.json'))
    assert [h['iter'] for h in report['history']] == [500, 1000]
    metric = SimpleNamespace(needs_class_counts=False, out_file=None)
    runner.val_evaluator = SimpleNamespace(metrics=[metric])
    runner.iter = 1000
    hook.before_val_epoch(runner)
    assert metric.out_file == osp.join(str(tmp_path),
                                       'long_tail_val_iter_1000.json')


def test_a_resumed_run_reports_over_the_whole_training(tmp_path, caplog):
    first_dir, resumed_dir = tmp_path / 'first', tmp_path / 'resumed'
    first = FakeRunner(first_dir)
    LongTailMetricHook().before_train(first)
    write_scalars(first_dir, [(1, {'lt/top1': 50.0}), (2, {'lt/top1': 60.0}),
                              (3, {'lt/top1': 40.0})])
    # Killed after epoch 3; resumed from the checkpoint of epoch 2, whose
    # message hub (runtime info included) MMEngine restores. Epoch 3 is
    # trained and validated again.
    hub = MessageHub(f'hub_{uuid.uuid4().hex}')
    hub.load_state_dict(first.message_hub.state_dict())
    resumed = FakeRunner(resumed_dir, hub=hub)
    resumed.epoch = resumed.iter = 2
    hook = LongTailMetricHook()
    hook.before_train(resumed)
    write_scalars(resumed_dir, [(3, {'lt/top1': 45.0})])
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(resumed)
    assert 'last 45.00 (epoch 3), best 60.00 (epoch 2) over 2 runs' in \
        caplog.text
    report = json.load(open(resumed_dir / 'best_last.json'))
    assert [(h['epoch'], h['lt/top1']) for h in report['history']] == [
        (1, 50.0), (2, 60.0), (3, 45.0)]
    assert report['runs'] == [dict(log_dir=str(first_dir), begin=0),
                              dict(log_dir=str(resumed_dir), begin=2)]
    # The first run's records are its own and stay as they were.
    assert not (first_dir / 'best_last.json').exists()

    # A fresh run in the same work dir starts its own history.
    fresh = FakeRunner(tmp_path / 'fresh')
    hook = LongTailMetricHook()
    hook.before_train(fresh)
    assert fresh.message_hub.get_info(RUNS_KEY) == [
        dict(log_dir=str(tmp_path / 'fresh'), begin=0)]


def test_a_missing_run_log_is_named(tmp_path, caplog):
    runner = FakeRunner(tmp_path / 'now')
    runner.message_hub.update_info(RUNS_KEY, [
        dict(log_dir=str(tmp_path / 'gone'), begin=0)])
    runner.epoch = 2
    hook = LongTailMetricHook()
    hook.before_train(runner)
    write_scalars(tmp_path / 'now', [(3, {'lt/top1': 45.0})])
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(runner)
    gone = osp.join(str(tmp_path / 'gone'), 'vis_data', 'scalars.json')
    assert (f'LongTailMetricHook: no {gone} (LocalVisBackend) of the run '
            'from epoch 0; best and last leave its validations out') in \
        caplog.text
    assert 'last 45.00 (epoch 3), best 45.00 (epoch 3)' in caplog.text


def test_merge_keeps_what_a_later_run_did_not_redo():
    first = [dict(step=s, v=s) for s in (1, 2, 3, 4)]
    second = [dict(step=s, v=10 * s) for s in (3, 4, 5)]
    third = [dict(step=s, v=100 * s) for s in (5, 6)]
    merged = merge_runs([(0, first), (2, second), (4, third)])
    assert [(h['step'], h['v']) for h in merged] == [
        (1, 1), (2, 2), (3, 30), (4, 40), (5, 500), (6, 600)]
    best, last = best_and_last(merged, 'v', 'less')
    assert (best['step'], last['step']) == (1, 6)
