"""tools/observation_experiment.py as a user runs it (1-epoch stages)."""
import json
import os.path as osp
import subprocess

import pytest
import torch

from mmbbn.utils import safe_torch_load
from ..conftest import CONFIGS, TOOLS

pytestmark = pytest.mark.slow

BASE = osp.join(CONFIGS, '_base_')


def test_grid_tables_heat_map_and_a_frozen_representation(python,
                                                          tmp_path):
    work = str(tmp_path / 'obs')
    out = subprocess.run(
        [python, osp.join(TOOLS, 'observation_experiment.py'),
         '--work-dir', work,
         '--data', osp.join(BASE, 'datasets', 'digits_lt.py'),
         '--schedule', osp.join(BASE, 'schedules', 'digits_lt_bs32_200e.py'),
         '--stage2-schedule',
         osp.join(BASE, 'schedules', 'digits_lt_bs32_30e_classifier.py'),
         '--epochs', '1', '--stage2-epochs', '1',
         '--stage1', 'ce', 'rs', '--stage2', 'ce', 'rw'],
        capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'observation_experiment: 2 x 2 grid' in out.stdout

    table = json.load(open(osp.join(work, 'observation.json')))
    assert set(table['error']) == {'ce', 'rs'}
    for row in table['error'].values():
        assert set(row) == {'ce', 'rw'}
        assert all(0 <= v <= 100 for v in row.values())
    for key, metrics in table['stage2'].items():
        m1, m2 = key.split('-')
        assert table['error'][m1][m2] == pytest.approx(100 -
                                                       metrics['lt/top1'])
    md = open(osp.join(work, 'observation.md')).read()
    assert '| representation \\ classifier | CE | RW |' in md
    assert '| RS |' in md
    png = open(osp.join(work, 'observation.png'), 'rb').read()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 5000

    # Stage 2 kept the stage-1 backbone exactly (BatchNorm statistics
    # included) and trained a new classifier.
    def weights(run):
        record = open(osp.join(work, run, 'last_checkpoint')).read().strip()
        return safe_torch_load(record, map_location='cpu')['state_dict']

    first, second = weights('stage1-rs'), weights('stage2-rs-rw')
    backbone = [k for k in first if k.startswith('backbone.')]
    assert any('running_mean' in k for k in backbone)
    for key in backbone:
        assert torch.equal(first[key], second[key]), key
    assert not torch.equal(first['head.fc.weight'],
                           second['head.fc.weight'])
    cfg = open(osp.join(work, 'stage2-rs-rw', 'config.py')).read()
    assert 'stage1-rs' in cfg and 'ReweightedCrossEntropyLoss' in cfg


def test_unknown_method_is_one_line(python, tmp_path):
    out = subprocess.run(
        [python, osp.join(TOOLS, 'observation_experiment.py'),
         '--work-dir', str(tmp_path), '--stage1', 'mixup'],
        capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert ('0 configs match' in out.stderr and 'stage1-mixup_*.py' in
            out.stderr)
