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

    # One record per run (2 stage-1, 4 stage-2) in the experiment file.
    lines = [json.loads(line)
             for line in open(osp.join(work, 'observation.jsonl'))]
    header, records = lines[0], {r['method']: r for r in lines[1:]}
    assert header['experiment'] == 'observation' and header['seed'] == 0
    assert set(records) == {'stage1-ce', 'stage1-rs', 'stage2-ce-ce',
                            'stage2-ce-rw', 'stage2-rs-ce', 'stage2-rs-rw'}
    assert records['stage2-rs-rw']['config'].startswith(
        'configs/observation/stage2-rw_')
    md = open(osp.join(work, 'observation.md')).read()
    assert '| representation \\ classifier | CE | RW |' in md
    # Each cell is the test error of its stage-2 run's last epoch.
    for m1 in ('ce', 'rs'):
        row = next(line for line in md.splitlines()
                   if line.startswith(f'| {m1.upper()} |'))
        cells = [c.strip('* ') for c in row.split('|')[2:-1]]
        expected = [100 - records[f'stage2-{m1}-{m2}']['last']['lt/top1']
                    for m2 in ('ce', 'rw')]
        assert [float(c) for c in cells] == pytest.approx(expected,
                                                          abs=0.005)
        assert all(0 <= v <= 100 for v in expected)
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
