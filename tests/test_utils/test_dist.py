"""mmbbn/utils/dist.py: the rendezvous of a CPU launch, its DDP wrapper.

The launcher's environment checks live with the tools
(tests/test_tools/test_launch.py).
"""
import os

import pytest
from mmengine.config import Config

from mmbbn.utils import cpu_ddp_cfg
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


def test_slurm_variables_become_torch_ones(env):
    env(SLURM_PROCID=1, SLURM_NTASKS=2, SLURM_STEP_NUM_TASKS=2,
        SLURM_LOCALID=1, SLURM_NODELIST='localhost', MASTER_PORT=23456)
    slurm_env_to_torch()
    assert (os.environ['RANK'], os.environ['WORLD_SIZE'],
            os.environ['LOCAL_RANK'], os.environ['MASTER_PORT']) == (
                '1', '2', '1', '23456')
    assert os.environ['MASTER_ADDR']


def test_cpu_ddp_wrapper_gets_no_device_ids():
    cfg = Config(dict(model_wrapper_cfg=dict(
        type='MMDistributedDataParallel', find_unused_parameters=True,
        device_ids=[0])))
    cpu_ddp_cfg(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', find_unused_parameters=True,
        device_ids=None)
    cfg = Config(dict())
    cpu_ddp_cfg(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', device_ids=None)
