"""Add a finished training run to an experiment file (one line per run).

Reads the run's ``best_last.json`` (last and best, every validation) and
MMEngine's scalar log (loss, lr, alpha per epoch), also those of the runs
it resumed, and adds one summary record to a JSON-lines experiment file
such as ``docs/results/cifar10_lt_ir100_200e.jsonl`` (a record of the same
method and seed is replaced). The README tables are rendered from these
files by ``tools/analysis_tools/results_tables.py``.

Usage:
    python tools/analysis_tools/record_run.py RUN_OR_WORK_DIR EXPERIMENT
        --config CONFIG [--method NAME] [--seed S] [--wall-s SECONDS]
        [--note TEXT]
"""
import argparse
import os.path as osp
import sys

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO = osp.dirname(TOOLS)
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.records import (REPORT, find_run, read_report,  # noqa: E402
                           wall_seconds)
from utils.results import add_runs, method_label, record_run_dir  # noqa


def run_seed(run: str):
    """``randomness.seed`` of the config MMEngine saved with the run."""
    from mmengine.config import Config
    path = osp.join(run, 'vis_data', 'config.py')
    if not osp.isfile(path):
        return None
    return (Config.fromfile(path).get('randomness') or {}).get('seed')


def main(argv=None) -> int:
    """Parse the command line, add the record, print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('run', help='a run dir, or a work dir (its newest '
                        'finished run)')
    parser.add_argument('experiment', help='the .jsonl experiment file')
    parser.add_argument('--config', required=True,
                        help='the config file the run trained')
    parser.add_argument('--method', help='table label (default: from the '
                        'config name, e.g. bbn, ce-drw)')
    parser.add_argument('--seed', type=int, help='default: the seed of the '
                        'config the run saved')
    parser.add_argument('--wall-s', type=float, help='wall seconds (default: '
                        'from the runs\' text logs)')
    parser.add_argument('--note', help='a remark kept with the record')
    args = parser.parse_args(argv)
    try:
        run, _ = find_run(args.run, REPORT)
    except FileNotFoundError as e:
        raise SystemExit(f'record_run: {e}') from None
    seed = args.seed if args.seed is not None else run_seed(run)
    if seed is None:
        raise SystemExit(f'record_run: {run}: no randomness.seed in '
                         'vis_data/config.py; pass --seed')
    config = osp.relpath(osp.abspath(args.config), REPO)
    wall = args.wall_s
    if wall is None:
        wall = wall_seconds([r['log_dir'] for r in
                             read_report(run).get('runs') or [
                                 dict(log_dir=run)]])
    extra = dict(note=args.note) if args.note else {}
    method = args.method or method_label(args.config)
    record, note = record_run_dir(run, method, seed, config, wall, **extra)
    total = add_runs(args.experiment, [record])
    last = record['last']
    print(f'record_run: {note}; {method} seed {seed}: last top-1 '
          f'{last.get("lt/top1", float("nan")):.2f} -> {args.experiment} '
          f'({total} runs)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
