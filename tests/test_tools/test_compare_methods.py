"""tools/benchmarks/compare_methods.py as a user runs it (1 epoch)."""
import json
import os.path as osp
import subprocess

import pytest

from ..conftest import CONFIGS, REPO, TOOLS

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

    # One record per finished run in the experiment file.
    lines = [json.loads(line) for line in open(osp.join(work,
                                                        'digits.jsonl'))]
    header, records = lines[0], {r['method']: r for r in lines[1:]}
    assert header['experiment'] == 'digits' and len(lines) == 3
    assert header['commands'][0].startswith('python tools/benchmarks/')
    assert set(records) == {'ce', 'tau-norm'}
    for record in records.values():
        assert record['seed'] == 0
        for key in ('lt/top1', 'lt/many', 'lt/few'):
            assert 0 <= record['last'][key] <= 100
    assert records['ce']['config'] == osp.relpath(CE, REPO)
    assert records['ce']['last']['epoch'] == 1
    assert records['ce']['val']['epoch'] == [1]
    assert records['ce']['train']['epoch'] == [1]
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
    for run, log in (('ce', 'train.log'), ('tau-norm', 'test.log')):
        assert 'ChannelsLastHook: ' in open(
            osp.join(work, run, 'seed0', log)).read()
    md = open(osp.join(work, 'digits.md')).read()
    assert md.startswith('Command: `python tools/benchmarks/')
    # The total is the runs' own wall times (the same if rows were reused).
    walls = [records[m]['wall_s'] for m in ('ce', 'tau-norm')]
    assert walls == [round(ce['wall_s'], 1), round(tau['wall_s'], 1)]
    assert f'the runs took {sum(walls):.0f} s in all' in md
    assert '| ce | 0 |' in md and '| tau-norm | 0 |' in md
