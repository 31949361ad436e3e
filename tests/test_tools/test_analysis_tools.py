"""tools/analysis_tools/plot_*.py as a user runs them."""
import os.path as osp
import runpy
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from mmbbn.evaluation import LongTailMetric
from ..conftest import CONFIGS, TOOLS

DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')


def tool(name):
    return osp.join(TOOLS, 'analysis_tools', name)


def assert_picture(path):
    image = np.asarray(Image.open(path).convert('L'), np.float64)
    assert image.shape[1] > 300 and image.std() > 10, path


def run_in_process(monkeypatch, capsys, *argv) -> str:
    """A tool's command line in this interpreter (its imports are done)."""
    monkeypatch.setattr(sys, 'argv', list(argv))
    runpy.run_path(argv[0], run_name='__main__')
    return capsys.readouterr().out


def test_result_plot_tools(tmp_path, monkeypatch, capsys):
    metric = LongTailMetric(train_class_counts=[124, 88, 63, 45, 32, 23, 16,
                                                12, 8, 6])
    metric.dataset_meta = dict(classes=[str(d) for d in range(10)])
    metric.out_file = str(tmp_path / 'long_tail_test.json')
    scores = torch.softmax(torch.tensor(
        np.random.default_rng(0).normal(0, 3, (50, 10))), 1)
    metric.process(None, [dict(pred_score=s, gt_label=torch.tensor([i % 10]))
                          for i, s in enumerate(scores)])
    metric.evaluate(50)
    out = run_in_process(monkeypatch, capsys, tool('plot_per_class.py'),
                         metric.out_file)
    default = tmp_path / 'per_class_accuracy.png'
    assert f'per-class accuracy plot written to {default}' in out
    assert_picture(default)
    out = run_in_process(monkeypatch, capsys, tool('plot_reliability.py'),
                         metric.out_file, '--out', str(tmp_path / 'r.png'))
    assert f'reliability diagram written to {tmp_path / "r.png"}' in out
    assert_picture(tmp_path / 'r.png')


@pytest.mark.slow
def test_class_distribution_tool_builds_the_configured_set(python,
                                                           tmp_path):
    out = subprocess.run(
        [python, tool('plot_class_distribution.py'), DIGITS_BBN, '--out',
         str(tmp_path / 'dist.png')], capture_output=True, text=True,
        timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert ('class distribution of train (417 images, 10 classes) written '
            f'to {tmp_path / "dist.png"}') in out.stdout
    assert_picture(tmp_path / 'dist.png')
