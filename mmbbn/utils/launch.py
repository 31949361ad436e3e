"""What ``tools/train.py`` and ``tools/test.py`` share."""
import copy

from mmengine.config import Config

from .dist import (check_launcher_env, cpu_ddp_cfg, init_cpu_distributed,
                   needs_cpu_distributed)

DATALOADER_FIELDS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def apply_dataloader_defaults(cfg: Config,
                              pin_memory: bool = True,
                              persistent_workers: bool = True) -> None:
    """OpenMMLab's data loader defaults, valid for any worker count.

    Pinned memory and persistent workers are switched on as in
    MMPretrain's tools, but persistent workers only where a loader has
    workers (PyTorch rejects them with ``num_workers=0``).

    Args:
        cfg (Config): Changed in place.
        pin_memory (bool): Default for ``pin_memory``.
        persistent_workers (bool): Default for ``persistent_workers``.
    """
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


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Check the launcher's environment; on CPUs create the gloo group.

    The check (one line for a missing variable, a rank outside the world,
    a Slurm task count that differs from the tasks started) runs on every
    machine; with CUDA, MMEngine then initialises the group as upstream.

    Args:
        cfg (Config): Changed in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    check_launcher_env(launcher)
    cfg.launcher = launcher
    if needs_cpu_distributed(launcher):
        init_cpu_distributed(launcher)
        cpu_ddp_cfg(cfg)


__all__ = [
    'DATALOADER_FIELDS', 'apply_dataloader_defaults', 'setup_launcher',
    'use_channels_last'
]
