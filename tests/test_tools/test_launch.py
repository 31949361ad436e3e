"""tools/launch.py: the launcher's environment, the data loader defaults.

A launch that cannot form its world fails in a line; the rendezvous of a
CPU launch and its DDP wrapper; pinned memory only where an accelerator
exists; persistent workers only with workers.
"""
import os

import pytest
from mmengine.config import Config

from ..launch_helpers import tool_module

launch = tool_module('launch')
check_launcher_env = launch.check_launcher_env

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
    with pytest.raises(launch.LaunchError) as e:
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
    launch.slurm_env_to_torch()
    assert (os.environ['RANK'], os.environ['WORLD_SIZE'],
            os.environ['LOCAL_RANK'], os.environ['MASTER_PORT']) == (
                '1', '2', '1', '23456')
    assert os.environ['MASTER_ADDR']


def test_cpu_ddp_wrapper_gets_no_device_ids():
    cpu_ddp_cfg = launch.cpu_ddp_cfg
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


def loaders_cfg(**train):
    return Config(dict(
        train_dataloader=dict(batch_size=2, num_workers=2, **train),
        val_dataloader=dict(batch_size=2, num_workers=0),
        test_dataloader=None))


def test_pin_memory_only_where_an_accelerator_exists(monkeypatch):
    monkeypatch.setattr(launch, 'has_accelerator', lambda: False)
    cfg = loaders_cfg(pin_memory=True)
    launch.apply_dataloader_defaults(cfg)
    # Even where the config asks for it: PyTorch would only warn.
    assert cfg.train_dataloader.pin_memory is False
    assert cfg.val_dataloader.pin_memory is False
    assert cfg.test_dataloader is None

    monkeypatch.setattr(launch, 'has_accelerator', lambda: True)
    cfg = loaders_cfg()
    launch.apply_dataloader_defaults(cfg)
    assert cfg.train_dataloader.pin_memory is True
    assert cfg.val_dataloader.pin_memory is True
    cfg = loaders_cfg()
    launch.apply_dataloader_defaults(cfg, pin_memory=False)
    assert cfg.train_dataloader.pin_memory is False


def test_persistent_workers_only_with_workers():
    cfg = loaders_cfg()
    launch.apply_dataloader_defaults(cfg)
    assert cfg.train_dataloader.persistent_workers is True
    # PyTorch rejects persistent workers with num_workers=0.
    assert cfg.val_dataloader.persistent_workers is False
    cfg = loaders_cfg()
    launch.apply_dataloader_defaults(cfg, persistent_workers=False)
    assert cfg.train_dataloader.persistent_workers is False
    # The config's own settings are kept.
    assert cfg.train_dataloader.batch_size == 2


def test_channels_last_hook_added_once():
    cfg = Config(dict(custom_hooks=[dict(type='CumulativeAlphaHook')]))
    launch.use_channels_last(cfg)
    launch.use_channels_last(cfg)
    assert [h['type'] for h in cfg.custom_hooks] == [
        'CumulativeAlphaHook', 'ChannelsLastHook'
    ]
