"""Distributed training on CPUs with MMEngine 0.10.7.

MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` for the pytorch and
slurm launchers, which fails on machines without GPUs, and
``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]``, which
``DistributedDataParallel`` rejects for CPU modules. The Runner skips
``init_dist`` when a process group already exists, so on a machine without
CUDA the training and test tools create a gloo group here first (deriving
RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT from SLURM_* as MMEngine
does) and ask for ``device_ids=None``. With CUDA, nothing here runs and
MMEngine behaves as upstream (nccl).
"""
import os
import subprocess
from typing import Tuple

import torch
import torch.distributed as torch_dist

_PYTORCH_VARS = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
_SLURM_VARS = ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST')


def _int_env(launcher: str, name: str) -> int:
    """An integer launcher variable, or one line saying it is not one."""
    value = os.environ[name]
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f'--launcher {launcher}: {name}={value!r} is not '
                           'an integer') from None


def _check_slurm_tasks() -> None:
    """This process must be one of the srun tasks the world is made of.

    ``sbatch -n 2 --wrap 'python tools/train.py ... --launcher slurm'``
    runs the script once, in the batch step, where Slurm still reports the
    job's ``SLURM_NTASKS=2``: rank 0 would wait forever for a rank 1 that
    never starts. Only srun tasks carry ``SLURM_STEP_NUM_TASKS``.
    """
    env = os.environ
    ntasks = _int_env('slurm', 'SLURM_NTASKS')
    procid = _int_env('slurm', 'SLURM_PROCID')
    if 'SLURM_STEP_NUM_TASKS' not in env:
        if ntasks > 1:
            raise RuntimeError(
                f'--launcher slurm: SLURM_NTASKS={ntasks} but this process '
                'is not an srun task (no SLURM_STEP_NUM_TASKS; started by '
                'the batch script itself?), so the other ranks never start; '
                'launch it with srun (tools/slurm_train.sh)')
    else:
        step_tasks = _int_env('slurm', 'SLURM_STEP_NUM_TASKS')
        if step_tasks != ntasks:
            raise RuntimeError(
                f'--launcher slurm: SLURM_NTASKS={ntasks} but this srun step '
                f'runs SLURM_STEP_NUM_TASKS={step_tasks} tasks; the world '
                'size would not match the processes started (do not set '
                'SLURM_NTASKS by hand; use srun --ntasks)')
    if not 0 <= procid < ntasks:
        raise RuntimeError(f'--launcher slurm: SLURM_PROCID={procid} is not '
                           f'a rank of SLURM_NTASKS={ntasks} tasks')


def check_launcher_env(launcher: str) -> None:
    """Fail in one line when a launcher's environment is missing or wrong.

    Args:
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Raises:
        RuntimeError: The variables the launcher sets are absent, not
            integers, or describe a world this process cannot be part of
            (a rank outside the world size; a Slurm task count that differs
            from the tasks srun started).
    """
    needed = {'pytorch': _PYTORCH_VARS, 'slurm': _SLURM_VARS}.get(launcher)
    if not needed:
        return
    missing = [v for v in needed if v not in os.environ]
    if missing:
        how = ('torchrun or tools/dist_train.sh' if launcher == 'pytorch'
               else 'srun or tools/slurm_train.sh')
        raise RuntimeError(
            f'--launcher {launcher}: {", ".join(missing)} not set; start '
            f'the job with {how}, or use --launcher none')
    if launcher == 'slurm':
        _check_slurm_tasks()
        return
    rank = _int_env(launcher, 'RANK')
    world_size = _int_env(launcher, 'WORLD_SIZE')
    if not 0 <= rank < world_size:
        raise RuntimeError(f'--launcher {launcher}: RANK={rank} is not a '
                           f'rank of WORLD_SIZE={world_size} processes')


def slurm_env_to_torch() -> None:
    """Set torch's rendezvous variables from Slurm's, as MMEngine does."""
    env = os.environ
    env['RANK'] = env['SLURM_PROCID']
    env['WORLD_SIZE'] = env['SLURM_NTASKS']
    env['LOCAL_RANK'] = env.get('SLURM_LOCALID', '0')
    env.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in env:
        node_list = env['SLURM_NODELIST']
        try:
            addr = subprocess.run(
                ['scontrol', 'show', 'hostname', node_list],
                capture_output=True,
                text=True,
                check=True).stdout.split()[0]
        except (OSError, subprocess.CalledProcessError, IndexError):
            addr = node_list.split(',')[0]
        env['MASTER_ADDR'] = addr


def needs_cpu_distributed(launcher: str) -> bool:
    """Whether this launch must be set up for CPUs here."""
    return launcher in ('pytorch', 'slurm') and not torch.cuda.is_available()


def init_cpu_distributed(launcher: str) -> Tuple[int, int]:
    """Create the gloo process group for a CPU launch.

    Args:
        launcher (str): ``'pytorch'`` or ``'slurm'``.

    Returns:
        tuple[int, int]: ``(rank, world_size)``.
    """
    check_launcher_env(launcher)
    if launcher == 'slurm':
        slurm_env_to_torch()
    os.environ.setdefault('LOCAL_RANK', os.environ['RANK'])
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    return torch_dist.get_rank(), torch_dist.get_world_size()


def cpu_ddp_cfg(cfg) -> None:
    """Make a config's model wrapper and backend work on CPUs.

    Args:
        cfg (mmengine.Config): Changed in place.
    """
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'


def teardown_distributed() -> None:
    """Wait for every rank, then close the group (avoids gloo aborts)."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()


__all__ = [
    'check_launcher_env', 'cpu_ddp_cfg', 'init_cpu_distributed',
    'needs_cpu_distributed', 'slurm_env_to_torch', 'teardown_distributed'
]
