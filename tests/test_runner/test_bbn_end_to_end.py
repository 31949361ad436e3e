"""A real MMEngine Runner trains, saves, resumes, tests and infers BBN."""
import glob
import json
import os.path as osp
import subprocess
import time

import mmpretrain
import numpy as np
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.logging import MessageHub
from mmengine.runner import Runner

from mmbbn.registry import METRICS
from ..runner_cfg import tiny_bbn_cfg

pytestmark = pytest.mark.slow


class StopAfterFirstEpoch(Hook):
    """Interrupts training after epoch 1, as a crash or a kill would."""

    def after_train_epoch(self, runner):
        # runner.epoch counts finished epochs after this hook: 0 here.
        if runner.epoch == 0:
            runner.train_loop.stop_training = True


class StopAfterEpoch(Hook):
    """Stops training after a given epoch (counted from 1)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            runner.train_loop.stop_training = True


@METRICS.register_module(force=True)
class ScriptedTop1(BaseMetric):
    """``lt/top1`` read from ``SCORES`` by the epoch just trained.

    The epoch comes from the message hub (MMEngine's RuntimeInfoHook puts
    it there), so a test decides which validation is the best.
    """

    default_prefix = 'lt'
    SCORES = {}

    def process(self, data_batch, data_samples):
        self.results.extend(0 for _ in data_samples)

    def compute_metrics(self, results):
        epoch = MessageHub.get_current_instance().get_info('epoch') + 1
        return dict(top1=self.SCORES[epoch])


def final_state(runner):
    return {k: v.detach().clone()
            for k, v in runner.model.state_dict().items()}


def test_resume_from_epoch_1_equals_an_uninterrupted_run(cifar10_tiny,
                                                         tmp_path):
    full = Runner.from_cfg(tiny_bbn_cfg(cifar10_tiny, str(tmp_path / 'a')))
    full.train()
    expected = final_state(full)
    alpha = full.model.head.alpha

    first = Runner.from_cfg(tiny_bbn_cfg(cifar10_tiny, str(tmp_path / 'b')))
    first.register_hook(StopAfterFirstEpoch())
    first.train()
    assert first.epoch == 1
    ckpt = osp.join(str(tmp_path / 'b'), 'epoch_1.pth')
    assert osp.exists(ckpt)

    resumed = Runner.from_cfg(
        tiny_bbn_cfg(cifar10_tiny, str(tmp_path / 'b'), resume=True,
                     load_from=ckpt))
    resumed.train()
    assert resumed.epoch == 2
    # Best and last cover the validation of epoch 1, made by the first run.
    report = json.load(open(osp.join(resumed.log_dir, 'best_last.json')))
    assert [h['epoch'] for h in report['history']] == [1, 2]
    assert resumed.model.head.alpha == alpha == pytest.approx(0.75)
    got = final_state(resumed)
    assert got.keys() == expected.keys()
    for key in expected:
        assert torch.equal(got[key], expected[key]), key


def test_best_and_last_survive_a_resume(cifar10_tiny, tmp_path):
    # Train 4 epochs: the first run stops after epoch 3 (its epoch-3
    # validation is logged), the second resumes from the checkpoint of
    # epoch 2 and trains epochs 3 and 4 again. The best is epoch 2, made
    # by the first run; the report covers all four epochs.
    work = str(tmp_path)
    evaluator = dict(type='ScriptedTop1')

    def cfg(**kw):
        return tiny_bbn_cfg(cifar10_tiny, work, max_epochs=4,
                            val_evaluator=evaluator, **kw)

    ScriptedTop1.SCORES = {1: 30.0, 2: 70.0, 3: 40.0}
    first = Runner.from_cfg(cfg())
    first.register_hook(StopAfterEpoch(3))
    first.train()
    assert first.epoch == 3
    ScriptedTop1.SCORES = {3: 50.0, 4: 60.0}
    while time.strftime('%Y%m%d_%H%M%S') == first.timestamp:
        time.sleep(0.1)  # a new run gets its own timestamped log dir
    resumed = Runner.from_cfg(cfg(resume=True, load_from=osp.join(
        work, 'epoch_2.pth')))
    resumed.train()
    assert resumed.epoch == 4 and resumed.log_dir != first.log_dir

    report = json.load(open(osp.join(resumed.log_dir, 'best_last.json')))
    assert [(h['epoch'], h['lt/top1']) for h in report['history']] == [
        (1, 30.0), (2, 70.0), (3, 50.0), (4, 60.0)]
    assert report['last'] == {'epoch': 4, 'lt/top1': 60.0}
    assert report['best'] == {'epoch': 2, 'lt/top1': 70.0}
    # The best is CheckpointHook's (kept in the checkpoints' message hub).
    assert report['best_checkpoint'] == osp.join(
        work, 'best_lt_top1_epoch_2.pth')
    assert osp.exists(report['best_checkpoint'])
    assert [r['log_dir'] for r in report['runs']] == [first.log_dir,
                                                      resumed.log_dir]
    log = open(osp.join(resumed.log_dir,
                        f'{resumed.timestamp}.log')).read()
    assert ('lt/top1: last 60.00 (epoch 4), best 70.00 (epoch 2) over 2 '
            'runs') in log
    # The first run's records are its own and unchanged: its report (it
    # was stopped, not killed) covers its three epochs, its epoch-3
    # validation included.
    own = json.load(open(osp.join(first.log_dir, 'best_last.json')))
    assert [(h['epoch'], h['lt/top1']) for h in own['history']] == [
        (1, 30.0), (2, 70.0), (3, 40.0)]
    assert own['last']['epoch'] == 3


def test_training_reports_best_and_last(cifar10_tiny, tmp_path):
    runner = Runner.from_cfg(tiny_bbn_cfg(cifar10_tiny, str(tmp_path)))
    runner.train()
    report = json.load(open(osp.join(runner.log_dir, 'best_last.json')))
    assert report['last']['epoch'] == 2
    assert report['best']['lt/top1'] == max(
        h['lt/top1'] for h in report['history'])
    per_class = json.load(
        open(osp.join(runner.log_dir, 'long_tail_val_epoch_2.json')))
    # Training counts reached the metric: IF 8 over 40 images per class.
    assert per_class['train_class_counts'][0] == 40
    assert per_class['train_class_counts'][-1] == 5
    assert len(per_class['per_class_accuracy']) == 10
    assert glob.glob(osp.join(str(tmp_path), 'best_lt_top1_epoch_*.pth'))
    assert osp.exists(osp.join(str(tmp_path), 'epoch_2.pth'))


@pytest.fixture(scope='module')
def trained(cifar10_tiny, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('trained'))
    cfg = tiny_bbn_cfg(cifar10_tiny, work, max_epochs=1)
    runner = Runner.from_cfg(cfg)
    runner.train()
    cfg_path = osp.join(work, 'tiny_bbn.py')
    cfg.dump(cfg_path)
    return cfg_path, osp.join(work, 'epoch_1.pth'), work


def test_mmpretrain_test_tool_runs_on_the_checkpoint(trained, python,
                                                     tmp_path):
    cfg_path, ckpt, _ = trained
    tool = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools',
                    'test.py')
    out = subprocess.run(
        [python, tool, cfg_path, ckpt, '--work-dir', str(tmp_path)],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'lt/top1' in out.stdout + out.stderr
    assert glob.glob(str(tmp_path / '*' / 'long_tail_test.json'))


def test_inferencer_and_get_model_run_on_the_checkpoint(trained):
    from mmpretrain import ImageClassificationInferencer
    cfg_path, ckpt, _ = trained
    inferencer = ImageClassificationInferencer(
        model=cfg_path, pretrained=ckpt, device='cpu')
    img = np.random.default_rng(0).integers(0, 255, (32, 32, 3), np.uint8)
    result = inferencer(img)[0]
    assert 0 <= result['pred_label'] < 10
    assert len(result['pred_scores']) == 10
    assert abs(sum(result['pred_scores']) - 1) < 1e-4
    feats = inferencer.model.extract_feat(torch.zeros(1, 3, 32, 32))
    assert feats[0].shape == (1, 128)
