"""tools/slurm_{train,test}.sh and ``mim train --launcher slurm`` on Slurm.

The ``slurm_cluster`` fixture (tests/test_tools/conftest.py) is the cluster
``MMBBN_TEST_SLURM=1`` enables (``.ci/run`` starts a one-node one first);
without it these tests skip, saying how to enable them.
"""
import glob
import json
import os
import os.path as osp
import sys

import pytest

from ..conftest import TOOLS
from ..launch_helpers import (DIGITS_BBN, DIGITS_BBN_NAME, HELPERS,
                              assert_clean_exit,
                              check_two_ranks_trained_together, installed_env,
                              probe_config, read_probes, run)
from ..local_slurm import free_port

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


def click_version():
    import click
    return tuple(int(p) for p in click.__version__.split('.')[:2])


def job_env(cluster, **extra):
    """The cluster's client environment; rendezvous on the loopback."""
    env = cluster.env
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (HELPERS, os.environ.get('PYTHONPATH')) if p)
    env.update(
        PYTHON=sys.executable,
        # One thread per task, as torchrun does: the node has 2 CPUs.
        OMP_NUM_THREADS='1',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(free_port()),
        **extra)
    return env


def check_slurm_ranks(reports, cuda_visible_devices):
    check_two_ranks_trained_together(reports)
    assert [r['slurm_procid'] for r in reports] == ['0', '1']
    job = reports[0]['slurm_job_id']
    assert job and reports[1]['slurm_job_id'] == job, 'not one Slurm job'
    for report in reports:
        assert report['cuda_visible_devices'] == cuda_visible_devices


def test_slurm_train_then_test_sh_two_tasks_on_cpus(slurm_cluster, tmp_path):
    probes = str(tmp_path / 'probes')
    cfg = probe_config(str(tmp_path / 'cfg.py'), probes)
    # A cluster without GPUs: no generic resource asked (GRES empty).
    env = job_env(slurm_cluster, GPUS='2', GPUS_PER_NODE='2',
                  CPUS_PER_TASK='1', GRES='')
    code, log = run(['bash', osp.join(TOOLS, 'slurm_train.sh'),
                     slurm_cluster.partition,
                     'mmbbn_test', cfg, str(tmp_path / 'work')], env=env,
                    cwd=str(tmp_path))
    assert_clean_exit(code, log)
    check_slurm_ranks(read_probes(probes, 2), None)
    ckpt = str(tmp_path / 'work' / 'epoch_1.pth')

    env['MASTER_PORT'] = str(free_port())
    code, log = run(['bash', osp.join(TOOLS, 'slurm_test.sh'),
                     slurm_cluster.partition,
                     'mmbbn_test', cfg, ckpt, '--work-dir',
                     str(tmp_path / 'test')], env=env, cwd=str(tmp_path))
    assert_clean_exit(code, log)
    result = glob.glob(str(tmp_path / 'test' / '*' / 'long_tail_test.json'))
    # Both tasks' halves of the test split were gathered: all 500 images.
    assert json.load(open(result[0]))['num_test_images'] == 500


def test_mim_train_slurm_launcher(slurm_cluster, installed_mmbbn, tmp_path):
    probes = str(tmp_path / 'probes')
    base = osp.join(installed_mmbbn, 'mmbbn', '.mim', 'configs', 'bbn',
                    DIGITS_BBN_NAME)
    cfg = probe_config(str(tmp_path / 'cfg.py'), probes, base=base)
    env = installed_env(installed_mmbbn, MASTER_ADDR='127.0.0.1',
                        OMP_NUM_THREADS='1', **slurm_cluster.conf_env)
    srun_args = []
    if click_version() >= (8, 3):
        # Outside the pinned stack (requirements/cpu.txt: click<8.3), mim
        # 0.3.9 crashes on an absent --srun-args; give one.
        srun_args = ['--srun-args', '--job-name=mmbbn_mim_train']
    # mim always asks for --gres=gpu:N: the node's two stand-in GPUs.
    code, log = run([
        sys.executable, '-m', 'mim', 'train', 'mmbbn', cfg, '--launcher',
        'slurm', '--gpus', '2', '--gpus-per-node', '2', '--cpus-per-task',
        '1', '--partition', slurm_cluster.partition, '--port',
        str(free_port()), '--work-dir', str(tmp_path / 'work'), *srun_args
    ], env=env, cwd=str(tmp_path))
    assert_clean_exit(code, log)
    assert '--gres=gpu:2' in log
    check_slurm_ranks(read_probes(probes, 2), '0,1')


def test_batch_script_without_srun_fails_in_one_line(slurm_cluster, tmp_path):
    """``sbatch -n 2`` + a bare python: one task where the job asked two."""
    out = str(tmp_path / 'job.out')
    command = (f'{sys.executable} {osp.join(TOOLS, "train.py")} {DIGITS_BBN}'
               f' --work-dir {tmp_path / "work"} --launcher slurm')
    code, log = run(['sbatch', '--parsable', '--ntasks=2',
                     f'--partition={slurm_cluster.partition}',
                     '--cpus-per-task=1', f'--output={out}',
                     f'--wrap={command}'],
                    env=job_env(slurm_cluster), cwd=str(tmp_path))
    assert code == 0, log
    state = slurm_cluster.wait_for_job(log.strip().split(';')[0])
    assert state['JobState'] == 'FAILED', state
    with open(out) as f:
        job_log = f.read()
    # One line, no traceback.
    assert ('train.py: error: --launcher slurm: SLURM_NTASKS=2 but this '
            'process is not an srun task (no SLURM_STEP_NUM_TASKS; started '
            'by the batch script itself?), so the other ranks never start; '
            'launch it with srun (tools/slurm_train.sh)'
            ) in job_log.splitlines(), job_log[-3000:]
    assert 'Traceback' not in job_log
    assert 'Epoch(' not in job_log
