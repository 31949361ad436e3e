"""Distributed training on CPUs with MMEngine 0.10.7: what CPUs need.

1. MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` for the pytorch
   and slurm launchers, which fails without a GPU. The Runner skips
   ``init_dist`` when a process group already exists, so
   :func:`init_cpu_distributed` creates a gloo group first (for Slurm,
   RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT come from
   SLURM_* as MMEngine derives them).
2. ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]``, which
   ``DistributedDataParallel`` rejects for CPU modules: :func:`cpu_ddp_cfg`
   asks for ``device_ids=None``.
3. Without a barrier and ``destroy_process_group`` after the run, gloo
   processes sometimes abort at exit although training finished:
   :func:`teardown_distributed` (harmless, and recommended by PyTorch,
   with NCCL too).

With CUDA, 1 and 2 do not run and MMEngine behaves as upstream (NCCL).
The tools check the launcher's environment before calling these.
"""
import os
import subprocess
from typing import Tuple

import torch
import torch.distributed as torch_dist


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

    The launcher's variables must be set (``tools/train.py`` checks them
    first).

    Args:
        launcher (str): ``'pytorch'`` or ``'slurm'``.

    Returns:
        tuple[int, int]: ``(rank, world_size)``.
    """
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
    """Make a config's DDP wrapper accept CPU modules.

    Args:
        cfg (mmengine.Config): Changed in place.
    """
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
    'cpu_ddp_cfg', 'init_cpu_distributed', 'needs_cpu_distributed',
    'slurm_env_to_torch', 'teardown_distributed'
]
