"""tools/benchmarks/compare_methods.py as a user runs it (1 epoch)."""
import json
import os.path as osp
import subprocess

import pytest

from ..conftest import CONFIGS, TOOLS

pytestmark = pytest.mark.slow

CE = osp.join(CONFIGS, 'baselines', 'ce', 'resnet32_1xb32-200e_digits-lt.py')
TAU = osp.join(CONFIGS, 'decoupling',
               'tau-norm_resnet32_1xb32-200e_digits-lt.py')


def test_runs_configs_and_second_stages_and_writes_the_table(python,
                                                             tmp_path):
    work = str(tmp_path / 'cmp')
    out = subprocess.run(
        [python, osp.join(TOOLS, 'benchmarks', 'compare_methods.py'), CE,
         TAU, '--work-dir', work, '--epochs', '1', '--name', 'digits',
         '--channels-last'],
        capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'compare_methods: 2 configs x 1 seeds, 0 failed' in out.stdout

    table = json.load(open(osp.join(work, 'digits.json')))
    rows = {r['method']: r for r in table['rows']}
    assert set(rows) == {'ce', 'tau-norm'}
    for row in rows.values():
        assert row['seeds'] == [0] and not row['failed']
        for key in ('last lt/top1', 'last lt/many', 'last lt/few'):
            assert 0 <= row[key]['mean'] <= 100
    # The CE run trained once, for its own row and as tau-norm's stage 1,
    # whose checkpoint tau-norm tested (no second training).
    ce = json.load(open(osp.join(work, 'ce', 'seed0', 'result.json')))
    tau = json.load(open(osp.join(work, 'tau-norm', 'seed0',
                                  'result.json')))
    assert tau['checkpoint'] == ce['checkpoint']
    assert osp.exists(osp.join(work, 'tau-norm', 'seed0', 'test.log'))
    assert not osp.exists(osp.join(work, 'tau-norm', 'seed0', 'train.log'))
    cfg = open(osp.join(work, 'ce', 'seed0', 'config.py')).read()
    assert 'max_epochs=1' in cfg
    # --channels-last reaches the training run and the stage-2 test run.
    assert "type='ChannelsLastHook'" in cfg
    assert 'ChannelsLastHook: ' in open(
        osp.join(work, 'tau-norm', 'seed0', 'test.log')).read()
    md = open(osp.join(work, 'digits.md')).read()
    assert md.startswith('Command: `python tools/benchmarks/')
    # The total is the runs' own wall times (the same if rows were reused).
    assert (f'the runs took {ce["wall_s"] + tau["wall_s"]:.0f} s in all'
            in md)
    assert '| ce | 0 |' in md and '| tau-norm | 0 |' in md
