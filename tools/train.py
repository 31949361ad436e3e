"""Train a model from a config (OpenMMLab's ``tools/train.py``, for mmbbn).

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--channels-last] [--allow-partial] [--cfg-options k=v ...]
        [--launcher {none,pytorch,slurm,mpi}]

Before the Runner is built, a config whose ``type`` names are not
registered, ``--amp`` on a machine without a GPU and a launcher without its
environment fail in one line; so does a ``load_from`` or resume checkpoint
that is not the model's (see ``tools/preflight.py``).
"""
import argparse
import os
import os.path as osp
import sys

# Only the light part of MMEngine before the arguments are parsed, so that
# --help answers at once; torch, the Runner and mmbbn come after.
from mmengine.config import DictAction


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
        '--amp',
        action='store_true',
        help='mixed-precision training (MMEngine AmpOptimWrapper; needs a '
        'GPU, NPU, MLU or MUSA device)')
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
        '--allow-partial',
        action='store_true',
        help='let load_from / --resume load a checkpoint that holds other '
        'weights than the model (MMEngine then loads what matches and '
        'warns); by default such a checkpoint stops the run')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='disable pin_memory in the data loaders (only ever on where '
        'an accelerator exists)')
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


def merge_args(cfg, args: argparse.Namespace):
    """Apply the command line to the config."""
    from launch import apply_dataloader_defaults, use_channels_last
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


def train(args: argparse.Namespace) -> None:
    """Check the config and the launch, build the runner, train."""
    from launch import setup_launcher, teardown_distributed
    from mmengine.config import Config
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    from preflight import CheckpointFitHook, check_amp, check_registered_types

    import mmbbn  # noqa: F401  (registers mmbbn's modules)

    cfg = merge_args(Config.fromfile(args.config), args)
    check_registered_types(cfg, args.config)
    check_amp(cfg, args.config)
    setup_launcher(cfg, args.launcher)
    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg else
              RUNNERS.build(cfg))
    if (cfg.get('load_from') or cfg.get('resume')) and not args.allow_partial:
        runner.register_hook(
            CheckpointFitHook(args.config, cfg.get('load_from')))
    runner.train()
    teardown_distributed()


def main() -> None:
    """Train; a bad config, launch or checkpoint ends in one line."""
    args = parse_args()
    from launch import LaunchError
    from preflight import CheckpointMismatchError, ConfigError

    from mmbbn.utils import CheckpointLoadError
    try:
        train(args)
    except (ConfigError, LaunchError, CheckpointMismatchError,
            CheckpointLoadError) as e:
        sys.exit(f'{osp.basename(__file__)}: error: {e}')


if __name__ == '__main__':
    main()
