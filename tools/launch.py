"""How ``tools/train.py`` and ``tools/test.py`` start a run.

The launcher's environment (checked in one line), the gloo group on CPUs,
the data loaders' defaults and ``--channels-last``. The tools import this
module from their own folder (Python puts a script's folder first on
``sys.path``), so it works from a clone, from ``mmbbn/.mim/tools`` after
``pip install .`` and under torchrun, srun and mim alike.

Distributed runs on CPUs, with MMEngine 0.10.7, need three things:

1. MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` for the pytorch
   and slurm launchers, which fails without a GPU. The Runner skips
   ``init_dist`` when a process group exists, so :func:`setup_launcher`
   creates a gloo group first (for Slurm, with the rendezvous variables
   MMEngine derives from SLURM_*).
2. ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]``, which
   ``DistributedDataParallel`` rejects for CPU modules: :func:`cpu_ddp_cfg`
   asks for ``device_ids=None``.
3. Without a barrier and ``destroy_process_group`` after the run, gloo
   processes sometimes abort at exit although training finished:
   :func:`teardown_distributed` (harmless, and recommended by PyTorch,
   with NCCL too).

With CUDA, 1 and 2 do not run and MMEngine behaves as upstream (NCCL).
"""
import copy
import os
import subprocess

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

DATALOADER_FIELDS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
_PYTORCH_VARS = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
_SLURM_VARS = ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST')


class LaunchError(RuntimeError):
    """The launcher's environment cannot form the run's world."""


def has_accelerator() -> bool:
    """Whether PyTorch sees an accelerator (where pinned memory helps)."""
    accelerator = getattr(torch, 'accelerator', None)
    if accelerator is not None:
        return accelerator.is_available()
    return torch.cuda.is_available()


def apply_dataloader_defaults(cfg: Config,
                              pin_memory: bool = True,
                              persistent_workers: bool = True) -> None:
    """OpenMMLab's data loader defaults, valid on any machine.

    Pinned memory and persistent workers are switched on as in
    MMPretrain's tools, but pinned memory only where an accelerator exists
    (without one PyTorch ignores it with a warning per loader iterator),
    and persistent workers only where a loader has workers (PyTorch
    rejects them with ``num_workers=0``).

    Args:
        cfg (Config): Changed in place.
        pin_memory (bool): Pin where an accelerator exists.
        persistent_workers (bool): Default for ``persistent_workers``.
    """
    pin_memory = pin_memory and has_accelerator()
    for field in DATALOADER_FIELDS:
        loader = cfg.get(field)
        if loader is None:
            continue
        merged = dict(
            pin_memory=pin_memory, persistent_workers=persistent_workers)
        merged.update(copy.deepcopy(loader))
        if not pin_memory:
            merged['pin_memory'] = False
        if not persistent_workers or not merged.get('num_workers', 0):
            merged['persistent_workers'] = False
        cfg[field] = merged


def use_channels_last(cfg: Config) -> None:
    """Add :class:`ChannelsLastHook` to ``cfg.custom_hooks``, once.

    Args:
        cfg (Config): Changed in place.
    """
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') in ('ChannelsLastHook', 'mmbbn.ChannelsLastHook')
               for h in hooks):
        hooks.append(dict(type='ChannelsLastHook'))
    cfg.custom_hooks = hooks


def _int_env(launcher: str, name: str) -> int:
    """An integer launcher variable, or one line saying it is not one."""
    value = os.environ[name]
    try:
        return int(value)
    except ValueError:
        raise LaunchError(f'--launcher {launcher}: {name}={value!r} is not '
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
            raise LaunchError(
                f'--launcher slurm: SLURM_NTASKS={ntasks} but this process '
                'is not an srun task (no SLURM_STEP_NUM_TASKS; started by '
                'the batch script itself?), so the other ranks never start; '
                'launch it with srun (tools/slurm_train.sh)')
    else:
        step_tasks = _int_env('slurm', 'SLURM_STEP_NUM_TASKS')
        if step_tasks != ntasks:
            raise LaunchError(
                f'--launcher slurm: SLURM_NTASKS={ntasks} but this srun step '
                f'runs SLURM_STEP_NUM_TASKS={step_tasks} tasks; the world '
                'size would not match the processes started (do not set '
                'SLURM_NTASKS by hand; use srun --ntasks)')
    if not 0 <= procid < ntasks:
        raise LaunchError(f'--launcher slurm: SLURM_PROCID={procid} is not '
                          f'a rank of SLURM_NTASKS={ntasks} tasks')


def check_launcher_env(launcher: str) -> None:
    """Fail in one line when a launcher's environment is missing or wrong.

    Args:
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Raises:
        LaunchError: The variables the launcher sets are absent, not
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
        raise LaunchError(
            f'--launcher {launcher}: {", ".join(missing)} not set; start '
            f'the job with {how}, or use --launcher none')
    if launcher == 'slurm':
        _check_slurm_tasks()
        return
    rank = _int_env(launcher, 'RANK')
    world_size = _int_env(launcher, 'WORLD_SIZE')
    if not 0 <= rank < world_size:
        raise LaunchError(f'--launcher {launcher}: RANK={rank} is not a '
                          f'rank of WORLD_SIZE={world_size} processes')


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Check the launcher's environment; on CPUs create the gloo group.

    The check runs on every machine; with CUDA, MMEngine then initialises
    the group as upstream.

    Args:
        cfg (Config): Changed in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    check_launcher_env(launcher)
    cfg.launcher = launcher
    if launcher in ('pytorch', 'slurm') and not torch.cuda.is_available():
        if launcher == 'slurm':
            slurm_env_to_torch()
        os.environ.setdefault('LOCAL_RANK', os.environ['RANK'])
        if not torch_dist.is_initialized():
            torch_dist.init_process_group(
                backend='gloo',
                rank=int(os.environ['RANK']),
                world_size=int(os.environ['WORLD_SIZE']))
        cpu_ddp_cfg(cfg)


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


def cpu_ddp_cfg(cfg: Config) -> None:
    """Make a config's DDP wrapper accept CPU modules (in place)."""
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def teardown_distributed() -> None:
    """Wait for every rank, then close the group (avoids gloo aborts)."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()


__all__ = [
    'DATALOADER_FIELDS', 'LaunchError', 'apply_dataloader_defaults',
    'check_launcher_env', 'cpu_ddp_cfg', 'has_accelerator', 'setup_launcher',
    'slurm_env_to_torch', 'teardown_distributed', 'use_channels_last'
]
