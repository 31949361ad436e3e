"""LongTailMetricHook: training counts in test mode, JSON, best and last."""
import json
import logging
import os.path as osp
from types import SimpleNamespace

import pytest
from mmengine.runner import Runner

from mmbbn.datasets import long_tail_counts
from mmbbn.engine import LongTailMetricHook
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
    """The few runner fields the hook reads after training."""

    def __init__(self, log_dir, loop=None):
        logger = logging.getLogger('fake_runner')
        super().__init__(log_dir=log_dir, work_dir=log_dir, logger=logger,
                         epoch=0, iter=0, _train_loop=loop)


def test_best_and_last_are_reported_and_written(tmp_path, caplog):
    hook = LongTailMetricHook(key='lt/top1')
    runner = FakeRunner(str(tmp_path))
    for epoch, top1, few in [(1, 30.0, float('nan')), (2, 55.5, 10.0),
                             (3, 41.0, 12.5)]:
        runner.epoch, runner.iter = epoch, epoch * 10
        hook.after_val_epoch(runner, {'lt/top1': top1, 'lt/few': few})
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
    assert [h['iter'] for h in report['history']] == [10, 20, 30]


def test_iteration_based_runs_are_reported_by_iteration(tmp_path, caplog):
    from mmengine.runner import IterBasedTrainLoop
    loop = IterBasedTrainLoop.__new__(IterBasedTrainLoop)
    runner = FakeRunner(str(tmp_path), loop)
    hook = LongTailMetricHook()
    for it, top1 in [(500, 20.0), (1000, 10.0)]:
        runner.iter = it
        hook.after_val_epoch(runner, {'lt/top1': top1})
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        hook.after_train(runner)
    assert 'last 10.00 (iter 1000), best 20.00 (iter 500)' in caplog.text
    metric = SimpleNamespace(train_class_counts=[1], out_file=None)
    runner.val_evaluator = SimpleNamespace(metrics=[metric])
    hook._looked = True  # counts already looked up
    hook.before_val_epoch(runner)
    assert metric.out_file == osp.join(str(tmp_path),
                                       'long_tail_val_iter_1000.json')


def test_a_resumed_run_reports_over_the_whole_training(tmp_path, caplog):
    first = LongTailMetricHook()
    runner = FakeRunner(str(tmp_path))
    for epoch, top1 in [(1, 50.0), (2, 60.0), (3, 40.0)]:
        runner.epoch = runner.iter = epoch
        first.after_val_epoch(runner, {'lt/top1': top1})
    # Killed after epoch 3; resumed from the checkpoint of epoch 2, whose
    # validation ran after it was saved. Epoch 3 is trained again.
    resumed = LongTailMetricHook()
    runner.epoch = runner.iter = 2
    resumed.before_train(runner)
    runner.epoch = runner.iter = 3
    resumed.after_val_epoch(runner, {'lt/top1': 45.0})
    with caplog.at_level(logging.INFO, logger='fake_runner'):
        resumed.after_train(runner)
    assert 'last 45.00 (epoch 3), best 60.00 (epoch 2)' in caplog.text
    assert [h['epoch'] for h in resumed.history] == [1, 2, 3]
    # A fresh run in the same work dir starts its own history.
    fresh = LongTailMetricHook()
    runner.epoch = runner.iter = 0
    fresh.before_train(runner)
    assert fresh.history == []
