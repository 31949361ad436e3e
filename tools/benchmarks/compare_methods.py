"""Train a list of method configs for some seeds and tabulate the results.

Every (config, seed) is an ordinary ``tools/train.py`` run in
``WORK_DIR/<method>/seed<S>/``; a finished run is reused when the command is
started again. The table (markdown + JSON) has, per method, the mean and
standard deviation over seeds of the last-epoch top-1, the best-epoch top-1
(the official BBN code kept the best epoch on the test set: quote both),
the class-averaged and many/medium/few-shot accuracy of the last epoch, and
the wall time per run.

A two-stage config names its first stage with ``stage1_config`` (a path
relative to the config); that run is trained first for the same seed.
If the config loads its backbone with ``init_cfg=dict(type='Pretrained')``
(cRT), stage 2 trains from the stage-1 run's last checkpoint; otherwise
(tau-normalisation) stage 2 tests that checkpoint with the config
(``tools/test.py``).

Usage:
    python tools/benchmarks/compare_methods.py CONFIG [CONFIG ...]
        --work-dir DIR [--seeds 0 1 2] [--epochs N] [--data DATA_FILE]
        [--schedule SCHEDULE_FILE] [--cfg-options k=v ...] [--name NAME]

Example (Digits-LT, every method, 3 seeds):
    python tools/benchmarks/compare_methods.py \\
        configs/baselines/*/*_digits-lt.py configs/bbn/*_digits-lt.py \\
        --work-dir work_dirs/compare_digits --seeds 0 1 2
"""
import argparse
import json
import os
import os.path as osp
import platform
import sys
from typing import Dict, List, Optional

from mmengine.config import Config, DictAction

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
# tools/launch.py: what tools/train.py and tools/test.py share.
sys.path.insert(0, osp.join(REPO, 'tools'))

from launch import use_channels_last  # noqa: E402

from mmbbn.utils import (evaluate_run, mean_std, prepare_config,  # noqa: E402
                         train_run)

TRAIN = osp.join(REPO, 'tools', 'train.py')
TEST = osp.join(REPO, 'tools', 'test.py')
METRICS = ('lt/top1', 'lt/class_avg', 'lt/many', 'lt/medium', 'lt/few',
           'lt/ece')


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Train method configs for several seeds; tabulate')
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--work-dir', required=True,
                        help='where runs and the table go')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='randomness.seed of each run (default: 0)')
    parser.add_argument('--epochs', type=int,
                        help='rescale every schedule to this many epochs '
                        '(milestones and switch epochs proportionally)')
    parser.add_argument('--data', help='train and test on this data set '
                        'file, e.g. configs/_base_/datasets/cifar10_lt.py')
    parser.add_argument('--schedule', help='train with this schedule file '
                        '(the single-stage and stage-1 runs)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides for every run, key=value')
    parser.add_argument('--labels', nargs='+',
                        help='a table label per config (default: derived '
                        'from the file name)')
    parser.add_argument('--name', default='comparison',
                        help='file name of the table (default: comparison)')
    parser.add_argument('--rerun', action='store_true',
                        help='retrain runs that already finished')
    parser.add_argument('--channels-last', action='store_true',
                        help='train and test every run in channels-last '
                        '(as tools/train.py --channels-last)')
    args = parser.parse_args(argv)
    if args.labels and len(args.labels) != len(args.configs):
        parser.error('--labels needs one label per config')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs={args.epochs} is not a positive integer')
    return args


def method_label(path: str) -> str:
    """``ce-drw`` for ``.../ce-drw_resnet32_...py``; the folder for CE.

    Args:
        path (str): A config file.

    Returns:
        str: The method's short name.
    """
    stem = osp.splitext(osp.basename(path))[0]
    algo = stem.split('_')[0]
    if algo.startswith('resnet'):
        return osp.basename(osp.dirname(osp.abspath(path)))
    return algo


def pretrained_init(cfg: Config) -> Optional[dict]:
    """The backbone's ``Pretrained`` init_cfg, if the config has one."""
    init = (cfg.model.get('backbone') or {}).get('init_cfg')
    if isinstance(init, dict) and init.get('type') == 'Pretrained':
        return init
    return None


class Comparison:
    """Runs configs for seeds, reusing finished runs and first stages."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.stage1_epochs: Dict[str, int] = {}

    def config(self, path: str, seed: int,
               stage: Optional[str] = None) -> Config:
        """The run config of ``path`` under the command line's overrides."""
        args = self.args
        plain = Config.fromfile(path)
        epochs = args.epochs
        schedule = args.schedule
        if plain.get('stage1_config') and stage is None:
            # Stage 2 keeps its own schedule, shortened by the same factor.
            schedule = None
            if epochs:
                first = Config.fromfile(self.stage1_path(path, plain))
                epochs = max(1, round(plain.train_cfg.max_epochs * epochs /
                                      first.train_cfg.max_epochs))
        cfg = prepare_config(path, data=args.data, schedule=schedule,
                             epochs=epochs, seed=seed,
                             cfg_options=args.cfg_options)
        if args.channels_last:
            use_channels_last(cfg)
        return cfg

    @staticmethod
    def stage1_path(path: str, cfg: Config) -> str:
        """The stage-1 config a two-stage config names."""
        return osp.normpath(
            osp.join(osp.dirname(osp.abspath(path)), cfg.stage1_config))

    def run(self, path: str, seed: int, label: str) -> dict:
        """Train one config for one seed (its first stage before it)."""
        cfg = self.config(path, seed)
        run_dir = osp.join(self.args.work_dir, label, f'seed{seed}')
        checkpoint = None
        if cfg.get('stage1_config'):
            first = self.stage1_path(path, cfg)
            first_label = method_label(first)
            result = self.run(first, seed, first_label)
            if not result['ok']:
                return dict(ok=False, error=f'stage 1 ({first_label}) '
                            'failed', wall_s=0.0, config=path, seed=seed)
            checkpoint = result['checkpoint']
        print(f'[compare_methods] {label} seed {seed}: {run_dir}',
              flush=True)
        reuse = not self.args.rerun
        init = pretrained_init(cfg)
        if checkpoint is not None and init is None:
            result = evaluate_run(cfg, run_dir, checkpoint, TEST, reuse=reuse)
        else:
            if checkpoint is not None:
                init.checkpoint = checkpoint
            result = train_run(cfg, run_dir, TRAIN, reuse=reuse)
        result.update(config=osp.relpath(path, REPO), seed=seed)
        if not result['ok']:
            print(f'[compare_methods] {label} seed {seed} FAILED: '
                  f'{result["error"]}\n{result.get("log", "")[-1500:]}',
                  flush=True)
        return result


def summarize(label: str, path: str, runs: List[dict]) -> dict:
    """Mean and std over seeds of one method's results."""
    ok = [r for r in runs if r['ok']]
    row = dict(method=label, config=osp.relpath(path, REPO),
               seeds=[r['seed'] for r in ok],
               failed=[r['seed'] for r in runs if not r['ok']],
               wall_s=mean_std([r['wall_s'] for r in ok]))
    for key in METRICS:
        row[f'last {key}'] = mean_std([r['last'].get(key) for r in ok])
    row['best lt/top1'] = mean_std([r['best'].get('lt/top1') for r in ok])
    return row


def cell(stat: dict, digits: int = 2) -> str:
    """``mean ± std`` (or ``-``)."""
    if not stat['n'] or stat['mean'] != stat['mean']:
        return '-'
    if stat['n'] == 1:
        return f'{stat["mean"]:.{digits}f}'
    return f'{stat["mean"]:.{digits}f} ± {stat["std"]:.{digits}f}'


def markdown(rows: List[dict], header: str) -> str:
    """The table as markdown."""
    lines = [
        header, '',
        '| method | seeds | top-1 last | top-1 best | class-avg | many | '
        'medium | few | ECE | s / run |',
        '|---|---|---|---|---|---|---|---|---|---|'
    ]
    for row in rows:
        seeds = ','.join(map(str, row['seeds'])) or '-'
        if row['failed']:
            seeds += f' (failed: {",".join(map(str, row["failed"]))})'
        lines.append(
            f'| {row["method"]} | {seeds} | {cell(row["last lt/top1"])} | '
            f'{cell(row["best lt/top1"])} | '
            f'{cell(row["last lt/class_avg"])} | {cell(row["last lt/many"])}'
            f' | {cell(row["last lt/medium"])} | {cell(row["last lt/few"])} '
            f'| {cell(row["last lt/ece"])} | {cell(row["wall_s"], 0)} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    """Run everything, write the table, print a one-line summary."""
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    labels = args.labels or [method_label(p) for p in args.configs]
    if len(set(labels)) != len(labels):
        raise SystemExit('compare_methods: two configs share a label '
                         f'({labels}); pass --labels')
    comparison = Comparison(args)
    # Seed by seed, so an interrupted benchmark has whole tables.
    runs = {label: [] for label in labels}
    for seed in args.seeds:
        for path, label in zip(args.configs, labels):
            runs[label].append(comparison.run(path, seed, label))
    rows = [summarize(label, path, runs[label])
            for path, label in zip(args.configs, labels)]
    command = ' '.join(['python', osp.relpath(osp.abspath(__file__), REPO)] +
                       (argv if argv is not None else sys.argv[1:]))
    machine = f'{platform.machine()}, {os.cpu_count()} CPU threads visible'
    # The runs' own wall times: reused runs count what they took then.
    trained = sum(r['wall_s'] for rs in runs.values() for r in rs
                  if r['ok'])
    header = (f'Command: `{command}`  \nMachine: {machine}; the runs took '
              f'{trained:.0f} s in all. Values: mean ± std '
              'over seeds, %, test set; "last" = final epoch, "best" = best '
              'validated epoch.')
    table = dict(command=command, machine=machine,
                 data=args.data, schedule=args.schedule, epochs=args.epochs,
                 seeds=args.seeds, rows=rows)
    out = osp.join(args.work_dir, args.name)
    with open(out + '.json', 'w') as f:
        json.dump(table, f, indent=1)
    with open(out + '.md', 'w') as f:
        f.write(markdown(rows, header))
    done = [r for r in rows if r['seeds']]
    best = max(done, key=lambda r: r['last lt/top1']['mean'], default=None)
    failed = sum(len(r['failed']) for r in rows)
    summary = (f'compare_methods: {len(rows)} configs x {len(args.seeds)} '
               f'seeds, {failed} failed -> {out}.md')
    if best is not None:
        summary += (f'; best last top-1 {best["method"]} '
                    f'{best["last lt/top1"]["mean"]:.2f}')
    print(summary, flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
