"""Train a list of method configs for some seeds and tabulate the results.

Every (config, seed) is an ordinary ``tools/train.py`` run in
``WORK_DIR/<method>/seed<S>/``; a finished run is reused when the command is
started again. Each finished run is added to an experiment file (JSON
lines, one summary record per run: see ``tools/utils/results.py``;
``--experiment docs/results/NAME.jsonl`` adds them to the repository's),
and the markdown table ``WORK_DIR/NAME.md`` is rendered from its records:
per method, the mean and standard deviation over seeds of the last-epoch
top-1, the best-epoch top-1 (the official BBN code kept the best epoch on
the test set: quote both), the class-averaged and many/medium/few-shot
accuracy of the last epoch, and the wall time per run.

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
        [--experiment FILE.jsonl] [--channels-last]

Example (Digits-LT, every method, 3 seeds):
    python tools/benchmarks/compare_methods.py \\
        configs/baselines/*/*_digits-lt.py configs/bbn/*_digits-lt.py \\
        --work-dir work_dirs/compare_digits --seeds 0 1 2
"""
import argparse
import os
import os.path as osp
import platform
import sys
from typing import Dict, Optional

from mmengine.config import Config, DictAction

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO = osp.dirname(TOOLS)
for path in (TOOLS, REPO):
    if path not in sys.path:
        sys.path.insert(0, path)

from utils.experiment import evaluate_run, prepare_config  # noqa: E402
from utils.experiment import train_run  # noqa: E402
from utils.results import (add_runs, method_label,  # noqa: E402
                           methods_table, record_run_dir, run_record,
                           summarize)

TRAIN = osp.join(TOOLS, 'train.py')
TEST = osp.join(TOOLS, 'test.py')


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
    parser.add_argument('--experiment',
                        help='experiment file the runs are added to '
                        '(default: WORK_DIR/NAME.jsonl)')
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
        return prepare_config(path, data=args.data, schedule=schedule,
                              epochs=epochs, seed=seed,
                              cfg_options=args.cfg_options)

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
        # The tools switch channels-last on (one owner of how).
        extra = ['--channels-last'] if self.args.channels_last else []
        init = pretrained_init(cfg)
        if checkpoint is not None and init is None:
            result = evaluate_run(cfg, run_dir, checkpoint, TEST, reuse=reuse,
                                  args=extra)
        else:
            if checkpoint is not None:
                init.checkpoint = checkpoint
            result = train_run(cfg, run_dir, TRAIN, reuse=reuse, args=extra)
        result.update(config=osp.relpath(path, REPO), seed=seed,
                      run_dir=run_dir)
        if not result['ok']:
            print(f'[compare_methods] {label} seed {seed} FAILED: '
                  f'{result["error"]}\n{result.get("log", "")[-1500:]}',
                  flush=True)
        return result


def record(label: str, result: dict) -> dict:
    """The experiment-file record of a finished (config, seed)."""
    try:
        return record_run_dir(result['run_dir'], label, result['seed'],
                              result['config'], result['wall_s'])[0]
    except FileNotFoundError:  # a second stage that only tests
        return run_record(label, result['seed'], result['config'],
                          dict(last=result['last'], best=result['best']),
                          wall_s=result['wall_s'])


def main(argv=None) -> int:
    """Run everything, write the records and the table, print a summary."""
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    labels = args.labels or [method_label(p) for p in args.configs]
    if len(set(labels)) != len(labels):
        raise SystemExit('compare_methods: two configs share a label '
                         f'({labels}); pass --labels')
    comparison = Comparison(args)
    # Seed by seed, so an interrupted benchmark has whole tables.
    results = {label: [] for label in labels}
    for seed in args.seeds:
        for path, label in zip(args.configs, labels):
            results[label].append(comparison.run(path, seed, label))
    command = ' '.join(['python', osp.relpath(osp.abspath(__file__), REPO)] +
                       (argv if argv is not None else sys.argv[1:]))
    machine = f'{platform.machine()}, {os.cpu_count()} CPU threads visible'
    records = [record(label, r) for label in labels for r in results[label]
               if r['ok']]
    failed = {label: [r['seed'] for r in rs if not r['ok']]
              for label, rs in results.items()}
    out = osp.join(args.work_dir, args.name)
    experiment = args.experiment or out + '.jsonl'
    add_runs(experiment, records, header=dict(
        experiment=osp.splitext(osp.basename(experiment))[0],
        machine=machine, commands=[command], data=args.data,
        schedule=args.schedule, epochs=args.epochs))
    # The runs' own wall times: reused runs count what they took then.
    trained = sum(r.get('wall_s', 0) for r in records)
    header = (f'Command: `{command}`  \nMachine: {machine}; the runs took '
              f'{trained:.0f} s in all. Values: mean ± std '
              'over seeds, %, test set; "last" = final epoch, "best" = best '
              f'validated epoch. Records: {experiment}')
    with open(out + '.md', 'w') as f:
        f.write(header + '\n\n' + methods_table(
            records, labels, args.seeds, wall=True, failed=failed) + '\n')
    rows = [summarize(label, [r for r in records if r['method'] == label])
            for label in labels]
    done = [r for r in rows if r['seeds']]
    best = max(done, key=lambda r: r['last lt/top1']['mean'], default=None)
    failures = sum(map(len, failed.values()))
    summary = (f'compare_methods: {len(rows)} configs x {len(args.seeds)} '
               f'seeds, {failures} failed -> {out}.md, {experiment}')
    if best is not None:
        summary += (f'; best last top-1 {best["method"]} '
                    f'{best["last lt/top1"]["mean"]:.2f}')
    print(summary, flush=True)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
