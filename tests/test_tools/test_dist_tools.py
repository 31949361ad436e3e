"""tools/dist_train.sh and tools/dist_test.sh: two CPU processes (gloo)."""
import glob
import json
import os
import os.path as osp
import sys

import pytest

from ..conftest import TOOLS
from ..launch_helpers import (DIGITS_BBN, HELPERS, assert_clean_exit,
                              check_two_ranks_trained_together, probe_config,
                              read_probes, run)
from ..local_slurm import clean_env, free_port

pytestmark = pytest.mark.slow


def dist_env(**extra):
    """As after ``. .venv/bin/activate``: no PYTHON, the env's bin first."""
    env = clean_env(PORT=str(free_port()), **extra)
    env.pop('PYTHON', None)
    env['PATH'] = os.pathsep.join(
        [osp.dirname(sys.executable), env.get('PATH', '')])
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (HELPERS, os.environ.get('PYTHONPATH')) if p)
    return env


def test_two_cpu_processes_train_together_then_test(tmp_path):
    probes = str(tmp_path / 'probes')
    cfg = probe_config(str(tmp_path / 'cfg.py'), probes, max_epochs=2)
    work = str(tmp_path / 'work')
    # cwd: MMEngine's CPU result gathering leaves a .dist_test folder there.
    code, log = run(['bash', osp.join(TOOLS, 'dist_train.sh'), cfg, '2',
                     '--work-dir', work], env=dist_env(), cwd=str(tmp_path))
    assert_clean_exit(code, log)
    reports = read_probes(probes, 2)
    check_two_ranks_trained_together(reports)
    # alpha = 1 - (epoch / T) ** 2 with T = 2, the same on both ranks.
    assert sorted({s['alpha'] for s in reports[0]['steps']}) == [0.75, 1.0]
    # 417 images, batch 32 per rank, drop_last: 6 steps per epoch and rank.
    assert len(reports[0]['steps']) == 12

    code, log = run(['bash', osp.join(TOOLS, 'dist_test.sh'), cfg,
                     osp.join(work, 'epoch_2.pth'), '2', '--work-dir',
                     str(tmp_path / 'test')], env=dist_env(),
                    cwd=str(tmp_path))
    assert_clean_exit(code, log)
    result = glob.glob(str(tmp_path / 'test' / '*' / 'long_tail_test.json'))
    # The two ranks' halves of the test split were gathered: all 500.
    assert json.load(open(result[0]))['num_test_images'] == 500


def test_python_without_torch_is_named_in_one_line(tmp_path):
    """The README's ``.venv/bin/python`` alone, then a bare ``bash``."""
    # A Python without the environment's packages (-S: no site-packages),
    # what `python` is in a shell where the environment is not activated.
    bare = tmp_path / 'python'
    bare.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    bare.chmod(0o755)
    env = dist_env()
    env['PATH'] = os.pathsep.join([str(tmp_path), env['PATH']])
    for script in ('dist_train.sh', 'dist_test.sh'):
        args = ['CFG', '2'] if script == 'dist_train.sh' else [
            'CFG', 'CKPT', '2']
        code, log = run(['bash', osp.join(TOOLS, script), *args], env=env)
        assert code == 2
        assert log.splitlines() == [
            f"{script}: 'python' is not a Python with torch; activate the "
            'environment mmbbn is installed in (. .venv/bin/activate) or '
            'set PYTHON=/path/to/python'
        ]
        # PYTHON wins over PATH.
        code, log = run(['bash', osp.join(TOOLS, script), *args],
                        env=dict(env, PYTHON=str(bare)))
        assert code == 2 and f"'{bare}' is not a Python with torch" in log


def test_launcher_without_its_environment_fails_in_one_line(tmp_path):
    args = [sys.executable, osp.join(TOOLS, 'train.py'), DIGITS_BBN]
    env = clean_env()
    for var in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        env.pop(var, None)
    code, log = run(args + ['--launcher', 'pytorch'], env=env)
    assert code != 0
    # One line, no traceback, before the Runner's environment dump.
    assert ('train.py: error: --launcher pytorch: RANK, WORLD_SIZE, '
            'MASTER_ADDR, MASTER_PORT not set; start the job with torchrun '
            'or tools/dist_train.sh, or use --launcher none'
            ) in log.splitlines()
    assert 'Traceback' not in log
    assert 'Epoch(' not in log and 'System environment' not in log
