"""check_launcher_env: a launch that cannot form its world fails in a line."""
import os

import pytest

from mmbbn.utils import check_launcher_env
from mmbbn.utils.dist import slurm_env_to_torch

LAUNCH_VARS = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT',
               'LOCAL_RANK')


@pytest.fixture
def env(monkeypatch):
    """No launcher variables, then the ones a test sets."""
    slurm = [v for v in os.environ if v.startswith('SLURM_')]
    for var in slurm + list(LAUNCH_VARS):
        # Recorded, so that whatever a test sets is undone afterwards.
        monkeypatch.setenv(var, '')
        monkeypatch.delenv(var)

    def set_env(**values):
        for key, value in values.items():
            monkeypatch.setenv(key, str(value))

    return set_env


def message(launcher):
    with pytest.raises(RuntimeError) as e:
        check_launcher_env(launcher)
    assert '\n' not in str(e.value)
    return str(e.value)


def test_none_needs_nothing(env):
    check_launcher_env('none')


def test_pytorch(env):
    assert message('pytorch') == (
        '--launcher pytorch: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT not '
        'set; start the job with torchrun or tools/dist_train.sh, or use '
        '--launcher none')
    env(RANK=2, WORLD_SIZE=2, MASTER_ADDR='127.0.0.1', MASTER_PORT=29500)
    assert message('pytorch') == ('--launcher pytorch: RANK=2 is not a rank '
                                  'of WORLD_SIZE=2 processes')
    env(RANK='one')
    assert message('pytorch') == ("--launcher pytorch: RANK='one' is not an "
                                  'integer')
    env(RANK=1)
    check_launcher_env('pytorch')


def test_slurm_task_counts(env):
    assert message('slurm').startswith(
        '--launcher slurm: SLURM_PROCID, SLURM_NTASKS, SLURM_NODELIST not '
        'set; start the job with srun or tools/slurm_train.sh')
    # The batch script of `sbatch -n 2` itself: the job's count, no step.
    env(SLURM_PROCID=0, SLURM_NTASKS=2, SLURM_NODELIST='node1')
    assert message('slurm') == (
        '--launcher slurm: SLURM_NTASKS=2 but this process is not an srun '
        'task (no SLURM_STEP_NUM_TASKS; started by the batch script itself?)'
        ', so the other ranks never start; launch it with srun '
        '(tools/slurm_train.sh)')
    env(SLURM_STEP_NUM_TASKS=4)
    assert message('slurm') == (
        '--launcher slurm: SLURM_NTASKS=2 but this srun step runs '
        'SLURM_STEP_NUM_TASKS=4 tasks; the world size would not match the '
        'processes started (do not set SLURM_NTASKS by hand; use srun '
        '--ntasks)')
    env(SLURM_STEP_NUM_TASKS=2, SLURM_PROCID=2)
    assert message('slurm') == ('--launcher slurm: SLURM_PROCID=2 is not a '
                                'rank of SLURM_NTASKS=2 tasks')
    env(SLURM_PROCID=1, SLURM_LOCALID=1)
    check_launcher_env('slurm')
    # A one-task batch job without srun is a world of one: allowed.
    env(SLURM_NTASKS=1, SLURM_PROCID=0)
    del os.environ['SLURM_STEP_NUM_TASKS']
    check_launcher_env('slurm')


def test_slurm_variables_become_torch_ones(env):
    env(SLURM_PROCID=1, SLURM_NTASKS=2, SLURM_STEP_NUM_TASKS=2,
        SLURM_LOCALID=1, SLURM_NODELIST='localhost', MASTER_PORT=23456)
    slurm_env_to_torch()
    assert (os.environ['RANK'], os.environ['WORLD_SIZE'],
            os.environ['LOCAL_RANK'], os.environ['MASTER_PORT']) == (
                '1', '2', '1', '23456')
    assert os.environ['MASTER_ADDR']
