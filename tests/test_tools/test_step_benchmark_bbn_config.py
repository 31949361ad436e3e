"""step_benchmark.py --bbn-config: two passes against one joint pass."""
import json
import os.path as osp
import subprocess

import pytest

from ..conftest import CONFIGS, TOOLS

pytestmark = pytest.mark.slow


def test_any_bbn_config_two_pass_and_joint(tmp_path, python):
    cfg = tmp_path / 'tiny_vit.py'
    base = osp.join(CONFIGS, '_base_', 'models', 'bbn_vit-base-p16.py')
    cfg.write_text(
        f'_base_ = [{base!r}]\n'
        'model = dict(backbone=dict(arch=dict(_delete_=True, embed_dims=16, '
        'num_layers=2, num_heads=2, feedforward_channels=32), img_size=32, '
        'patch_size=8), head=dict(num_classes=5, in_channels=32))\n')
    out = tmp_path / 'step.json'
    run = subprocess.run(
        [python, osp.join(TOOLS, 'benchmarks', 'step_benchmark.py'),
         '--bbn-config', str(cfg), '--image-size', '32', '--batch-size',
         '2', '--steps', '2', '--repeats', '2', '--warmup', '1', '--out',
         str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    line = run.stdout.strip().splitlines()[-1]
    assert line.startswith('step tiny_vit.py B=2x2 32px cpu: two_pass ')
    assert '(default: joint)' in line and line.endswith(str(out))
    result = json.loads(out.read_text())
    assert result['default_joint_pass'] is True
    assert result['optimizer'] == 'SGD'
    for name in ('two_pass', 'joint'):
        variant = result['variants'][name]
        assert len(variant['repeat_medians_s']) == 2
        assert variant['median_s'] > 0
        assert variant['images_per_s'] == pytest.approx(
            4 / variant['median_s'])
    assert result['joint_over_two_pass'] == pytest.approx(
        result['variants']['joint']['median_s'] /
        result['variants']['two_pass']['median_s'])
