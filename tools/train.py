"""Train a model from a config (OpenMMLab's ``tools/train.py``, for mmbbn).

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--channels-last] [--cfg-options k=v ...]
        [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmbbn  # noqa: F401  (registers mmbbn; safe checkpoint loading)
from mmbbn.utils import (apply_dataloader_defaults, setup_launcher,
                         teardown_distributed, use_channels_last)


def parse_args() -> argparse.Namespace:
    """Command-line arguments, as in MMPretrain's train tool."""
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or without a path from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    parser.add_argument(
        '--channels-last',
        action='store_true',
        help='run the model in channels-last (NHWC) memory format')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='disable pin_memory in the data loaders')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='disable persistent_workers in the data loaders')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings, key=value (nested keys with dots)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command line to the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # After --cfg-options, so a loader set to num_workers=0 there gets no
    # persistent workers (which PyTorch rejects).
    if args.channels_last:
        use_channels_last(cfg)
    apply_dataloader_defaults(cfg, not args.no_pin_memory,
                              not args.no_persistent_workers)
    return cfg


def main() -> None:
    """Build the runner from the config and train."""
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    setup_launcher(cfg, args.launcher)
    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg else
              RUNNERS.build(cfg))
    try:
        runner.train()
    finally:
        teardown_distributed()


if __name__ == '__main__':
    main()
