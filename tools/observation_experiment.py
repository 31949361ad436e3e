"""The BBN paper's observation experiment (its Figure 1) in one command.

Stage 1 learns a representation with each method of ``--stage1`` (CE, RW,
RS); stage 2 freezes it (every convolution and BatchNorm, statistics
included) and trains a re-initialised linear classifier with each method
of ``--stage2``. The grid of test error rates (last epoch of stage 2) is
written as ``observation.md``, ``observation.json`` and a heat-map
``observation.png`` in the work dir; every run keeps its own folder
(``stage1-<m>/``, ``stage2-<m1>-<m2>/``), and finished runs are reused
when the command is started again.

The methods are the configs ``stage1-<m>_*.py`` and ``stage2-<m>_*.py`` of
``--config-dir`` (``configs/observation``: CIFAR-10-LT IF 50). The data
set, the schedules and their lengths come from the command line.

Usage:
    python tools/observation_experiment.py --work-dir DIR
        [--data DATA_FILE] [--schedule FILE] [--stage2-schedule FILE]
        [--epochs N] [--stage2-epochs M] [--stage1 ce rw rs]
        [--stage2 ce rw rs] [--seed S] [--cfg-options k=v ...]
        [--experiment FILE.jsonl]

Example (Digits-LT, the full budget):
    python tools/observation_experiment.py --work-dir work_dirs/obs_digits \\
        --data configs/_base_/datasets/digits_lt.py \\
        --schedule configs/_base_/schedules/digits_lt_bs32_200e.py \\
        --stage2-schedule \\
        configs/_base_/schedules/digits_lt_bs32_30e_classifier.py
"""
import argparse
import glob
import os
import os.path as osp
import sys
import time
from typing import Dict, List

from mmengine.config import DictAction

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.experiment import prepare_config, train_in_process  # noqa: E402
from utils.results import add_runs, grid_table, record_run_dir  # noqa: E402

METHODS = ('ce', 'rw', 'rs')
NAMES = dict(ce='CE', rw='RW', rs='RS')


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description="The BBN paper's representation x classifier grid")
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--config-dir',
                        default=osp.join(REPO, 'configs', 'observation'),
                        help='where stage1-<m>_*.py and stage2-<m>_*.py are')
    parser.add_argument('--stage1', nargs='+', default=list(METHODS),
                        help='representation methods (default: ce rw rs)')
    parser.add_argument('--stage2', nargs='+', default=list(METHODS),
                        help='classifier methods (default: ce rw rs)')
    parser.add_argument('--data', help='a data set file, e.g. '
                        'configs/_base_/datasets/digits_lt.py')
    parser.add_argument('--schedule', help='stage-1 schedule file')
    parser.add_argument('--stage2-schedule', help='stage-2 schedule file')
    parser.add_argument('--epochs', type=int,
                        help='stage-1 epochs (milestones rescaled)')
    parser.add_argument('--stage2-epochs', type=int,
                        help='stage-2 epochs (milestones rescaled)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides for both stages, key=value')
    parser.add_argument('--rerun', action='store_true',
                        help='retrain runs that already finished')
    parser.add_argument('--experiment',
                        help='experiment file the runs are added to '
                        '(default: WORK_DIR/observation.jsonl)')
    args = parser.parse_args(argv)
    for flag in ('epochs', 'stage2_epochs'):
        value = getattr(args, flag)
        if value is not None and value < 1:
            parser.error(f'--{flag.replace("_", "-")}={value} is not a '
                         'positive integer')
    return args


def stage_config(config_dir: str, stage: int, method: str) -> str:
    """The one config of a stage and method.

    Args:
        config_dir (str): The folder of the configs.
        stage (int): 1 or 2.
        method (str): e.g. ``'rw'``.

    Returns:
        str: Its path.
    """
    found = sorted(glob.glob(osp.join(config_dir,
                                      f'stage{stage}-{method}_*.py')))
    if len(found) != 1:
        raise SystemExit(
            f'observation_experiment: {len(found)} configs match '
            f'{config_dir}/stage{stage}-{method}_*.py (need exactly one)')
    return found[0]


def heat_map(grid: Dict[str, Dict[str, float]], rows: List[str],
             cols: List[str], title: str, path: str) -> None:
    """Error rates as an annotated heat-map (rows: representation).

    Args:
        grid (dict): ``grid[row][col]`` error rate in %.
        rows (list[str]): Stage-1 methods.
        cols (list[str]): Stage-2 methods.
        title (str): Figure title.
        path (str): PNG to write.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    values = np.array([[grid[r][c] for c in cols] for r in rows])
    fig, ax = plt.subplots(figsize=(1.6 * len(cols) + 2.2,
                                    1.2 * len(rows) + 1.6))
    image = ax.imshow(values, cmap='viridis_r')
    ax.set_xticks(range(len(cols)), [NAMES.get(c, c) for c in cols])
    ax.set_yticks(range(len(rows)), [NAMES.get(r, r) for r in rows])
    ax.set_xlabel('classifier learning (stage 2)')
    ax.set_ylabel('representation learning (stage 1)')
    middle = (values.max() + values.min()) / 2
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(j, i, f'{values[i, j]:.2f}', ha='center', va='center',
                    color='white' if values[i, j] > middle else 'black',
                    fontsize=12)
    fig.colorbar(image, ax=ax, label='test error (%)')
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    """Run the grid; write the records, the table and the heat-map."""
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    reuse = not args.rerun
    start = time.time()
    first, records = {}, []

    def train(config: str, name: str, cfg) -> dict:
        run_dir = osp.join(args.work_dir, name)
        result = train_in_process(cfg, run_dir, reuse)
        record, note = record_run_dir(run_dir, name, args.seed,
                                      osp.relpath(config, REPO),
                                      result['wall_s'])
        print(f'[observation] {name}: {note}', flush=True)
        records.append(record)
        return result

    for m1 in args.stage1:
        config = stage_config(args.config_dir, 1, m1)
        cfg = prepare_config(
            config, data=args.data, schedule=args.schedule,
            epochs=args.epochs, seed=args.seed, cfg_options=args.cfg_options)
        print(f'[observation] stage 1 {m1}', flush=True)
        first[m1] = train(config, f'stage1-{m1}', cfg)
    grid: Dict[str, Dict[str, float]] = {}
    for m1 in args.stage1:
        for m2 in args.stage2:
            config = stage_config(args.config_dir, 2, m2)
            cfg = prepare_config(
                config, data=args.data, schedule=args.stage2_schedule,
                epochs=args.stage2_epochs, seed=args.seed,
                cfg_options=args.cfg_options)
            init = cfg.model.backbone.get('init_cfg') or {}
            if init.get('type') != 'Pretrained':
                raise SystemExit(
                    f'observation_experiment: the stage-2 config of {m2} '
                    'must load its backbone with init_cfg=dict(type='
                    "'Pretrained', ...)")
            init['checkpoint'] = first[m1]['checkpoint']
            print(f'[observation] stage 2 {m1} -> {m2}', flush=True)
            result = train(config, f'stage2-{m1}-{m2}', cfg)
            grid.setdefault(m1, {})[m2] = 100.0 - result['last']['lt/top1']

    command = ' '.join(['python', osp.relpath(osp.abspath(__file__), REPO)] +
                       (argv if argv is not None else sys.argv[1:]))
    out = osp.join(args.work_dir, 'observation')
    experiment = args.experiment or out + '.jsonl'
    add_runs(experiment, records, header=dict(
        experiment=osp.splitext(osp.basename(experiment))[0],
        commands=[command], data=args.data, seed=args.seed,
        epochs=args.epochs, stage2_epochs=args.stage2_epochs,
        wall_s=round(time.time() - start, 1)))
    cols = args.stage2
    lines = [
        f'Command: `{command}`', '',
        'Test error (%, last epoch of stage 2); rows: representation '
        '(stage 1), columns: classifier (stage 2). Records: '
        f'{experiment}', '',
        grid_table(records, args.stage1, cols)
    ]
    with open(out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    data = osp.basename(args.data) if args.data else 'cifar10_lt.py (IF 50)'
    title = (f'{data}; stage 1: {args.epochs or "config"} ep, stage 2: '
             f'{args.stage2_epochs or "config"} ep; seed {args.seed}')
    heat_map(grid, args.stage1, cols, title, out + '.png')
    best = min(((r, c) for r in grid for c in grid[r]),
               key=lambda rc: grid[rc[0]][rc[1]])
    print(f'observation_experiment: {len(args.stage1)} x {len(cols)} grid '
          f'-> {out}.md/.png, {experiment}; lowest error '
          f'{grid[best[0]][best[1]]:.2f} ({NAMES.get(best[0], best[0])} '
          f'representation, {NAMES.get(best[1], best[1])} classifier)',
          flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
