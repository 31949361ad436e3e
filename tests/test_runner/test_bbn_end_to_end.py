"""A real MMEngine Runner trains, saves, resumes, tests and infers BBN."""
import glob
import json
import os.path as osp
import subprocess

import mmpretrain
import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from ..runner_cfg import tiny_bbn_cfg

pytestmark = pytest.mark.slow


class StopAfterFirstEpoch(Hook):
    """Interrupts training after epoch 1, as a crash or a kill would."""

    def after_train_epoch(self, runner):
        # runner.epoch counts finished epochs after this hook: 0 here.
        if runner.epoch == 0:
            runner.train_loop.stop_training = True


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
