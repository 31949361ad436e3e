"""Test a checkpoint on a config's test set (OpenMMLab ``tools/test.py``).

Usage:
    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--plot-per-class [PNG]] [--channels-last] [--allow-partial]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]

A CHECKPOINT that is not a checkpoint of the config's model (missing,
unexpected or reshaped weights) stops the test in one line instead of
reporting the accuracy of a half-loaded model; so do unregistered
``type`` names in the config and a launcher without its environment (see
``tools/preflight.py``).
"""
import argparse
import os
import os.path as osp
import sys

# Only the light part of MMEngine before the arguments are parsed, so that
# --help answers at once; torch, the Runner and mmbbn come after.
from mmengine.config import DictAction


def parse_args() -> argparse.Namespace:
    """Command-line arguments, as in MMPretrain's test tool."""
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and results')
    parser.add_argument(
        '--out', help='dump every prediction to this pickle file')
    parser.add_argument(
        '--plot-per-class',
        nargs='?',
        const='',
        metavar='PNG',
        help='after testing, plot per-class accuracy against training '
        'images (default file: per_class_accuracy.png in the log dir)')
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
    parser.add_argument(
        '--channels-last',
        action='store_true',
        help='run the model in channels-last (NHWC) memory format')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='test a checkpoint that holds other weights than the model '
        '(MMEngine then loads what matches and warns); by default it is '
        'refused')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='disable pin_memory in the data loaders (only ever on where '
        'an accelerator exists)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args: argparse.Namespace):
    """Apply the command line to the config."""
    from launch import apply_dataloader_defaults, use_channels_last
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # After --cfg-options, so a loader set to num_workers=0 there gets no
    # persistent workers (which PyTorch rejects).
    if args.channels_last:
        use_channels_last(cfg)
    apply_dataloader_defaults(cfg, not args.no_pin_memory, True)
    return cfg


def test(args: argparse.Namespace) -> None:
    """Check the config and the launch, build the runner, test."""
    from launch import setup_launcher, teardown_distributed
    from mmengine.config import Config
    from mmengine.dist import is_main_process
    from mmengine.evaluator import DumpResults
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    from preflight import CheckpointFitHook, check_registered_types

    import mmbbn  # noqa: F401  (registers mmbbn's modules)

    cfg = merge_args(Config.fromfile(args.config), args)
    check_registered_types(cfg, args.config)
    setup_launcher(cfg, args.launcher)
    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg else
              RUNNERS.build(cfg))
    if not args.allow_partial:
        runner.register_hook(CheckpointFitHook(args.config, args.checkpoint))
    if args.out:
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    runner.test()
    if args.plot_per_class is not None and is_main_process():
        plot_test_result(runner, args.plot_per_class)
    teardown_distributed()


def main() -> None:
    """Test; a bad config, launch or checkpoint ends in one line."""
    args = parse_args()
    from launch import LaunchError
    from preflight import CheckpointMismatchError, ConfigError

    from mmbbn.utils import CheckpointLoadError
    try:
        test(args)
    except (ConfigError, LaunchError, CheckpointMismatchError,
            CheckpointLoadError) as e:
        sys.exit(f'{osp.basename(__file__)}: error: {e}')


def plot_test_result(runner, out_file: str) -> None:
    """Draw the per-class accuracy of the test the runner just ran.

    Args:
        runner (Runner): The runner after ``test()``.
        out_file (str): The PNG; empty for the log dir's default name.
    """
    from utils.plots import load_result, plot_per_class_accuracy
    written = [m.out_file for m in runner.test_evaluator.metrics
               if getattr(m, 'out_file', None)]
    if not written or not osp.exists(written[0]):
        runner.logger.warning(
            '--plot-per-class: no per-class result was written (is '
            'LongTailMetric the test evaluator, with LongTailMetricHook?)')
        return
    result = written[0]
    out_file = out_file or osp.join(runner.log_dir, 'per_class_accuracy.png')
    plot_per_class_accuracy(load_result(result), out_file)
    runner.logger.info(f'Per-class accuracy plot written to {out_file}')


if __name__ == '__main__':
    main()
