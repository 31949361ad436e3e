"""Experiment files: one JSON-lines file per experiment, a line per run.

The first line may be the experiment's header (``{"experiment": NAME,
...}``: the commands that produced it, the machine, the data and budget);
every other line is one finished run::

    {"method": "bbn", "seed": 0, "config": "configs/bbn/....py",
     "wall_s": 852.1, "unit": "epoch",
     "last": {"epoch": 20, "lt/top1": 54.22, ...},
     "best": {"epoch": 16, "lt/top1": 55.39, ...},
     "val": {"epoch": [2, 4, ...], "lt/top1": [17.68, ...], ...},
     "train": {"epoch": [1, 2, ...], "loss": [...], "lr": [...],
               "alpha": [...]}}

``last`` and ``best`` are the figures of :class:`LongTailMetricHook`'s
report, unrounded; ``val`` holds every validation, ``train`` the values
of the last logged iteration of each epoch (curves are rounded to six
significant digits). The README tables are rendered from these files
(:func:`render`), so they can always be regenerated.
"""
import json
import os
import os.path as osp
import shlex
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmbbn.evaluation import json_safe
from .records import REPORT, find_run, read_report, run_scalars

METRICS = ('lt/top1', 'lt/top5', 'lt/class_avg', 'lt/many', 'lt/medium',
           'lt/few', 'lt/ece')
TRAIN_KEYS = ('loss', 'lr', 'alpha')


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


def _round(value):
    """Six significant digits (curves); None stays None."""
    if value is None or value != value:
        return None
    return float(f'{value:.6g}')


def _columns(records: Sequence[dict], keys: Sequence[str]) -> dict:
    """Column arrays of the keys some record has, rounded."""
    present = [k for k in keys if any(k in r for r in records)]
    return {k: [_round(r.get(k)) for r in records] for k in present}


def run_record(method: str,
               seed: Optional[int],
               config: Optional[str],
               report: dict,
               scalars: Sequence[dict] = (),
               wall_s: Optional[float] = None,
               **extra) -> dict:
    """One run's summary record.

    Args:
        method (str): The table label of the run.
        seed (int, optional): ``randomness.seed``.
        config (str, optional): The config file, relative to the repo.
        report (dict): The run's ``best_last.json`` (``unit``, ``last``,
            ``best``, ``history``), or a test's ``last`` = ``best``.
        scalars (Sequence[dict]): MMEngine's scalar records of the run.
        wall_s (float, optional): Wall seconds the run took.
        **extra: More fields (e.g. ``note``).

    Returns:
        dict: The record.
    """
    unit = report.get('unit', 'epoch')

    def figures(entry: Optional[dict]) -> Optional[dict]:
        if entry is None:
            return None
        out = {k: entry[k] for k in (unit, ) if entry.get(k) is not None}
        out.update({k: v for k, v in entry.items() if k.startswith('lt/')})
        return out

    record = dict(method=method, seed=seed, config=config)
    if wall_s is not None:
        record['wall_s'] = round(float(wall_s), 1)
    record.update(unit=unit, last=figures(report['last']),
                  best=figures(report.get('best')))
    history = report.get('history') or []
    if history:
        record['val'] = dict({unit: [h[unit] for h in history]},
                             **_columns(history, METRICS))
    by_position: Dict[int, dict] = {}
    for r in scalars:
        if 'lr' in r and unit in r:
            by_position[r[unit]] = r  # the last logged one of the epoch
    if by_position:
        train = [by_position[k] for k in sorted(by_position)]
        record['train'] = dict({unit: sorted(by_position)},
                               **_columns(train, TRAIN_KEYS))
    record.update(extra)
    return json_safe(record)


def record_run_dir(run_dir: str,
                   method: str,
                   seed: Optional[int],
                   config: Optional[str],
                   wall_s: Optional[float] = None,
                   **extra) -> Tuple[dict, str]:
    """The record of a finished training run (its newest run dir).

    Args:
        run_dir (str): A work dir or a run dir in it.
        method, seed, config, wall_s, **extra: As :func:`run_record`.

    Returns:
        tuple[dict, str]: The record and the line saying which run it is.
    """
    run, note = find_run(run_dir, REPORT)
    scalars, _ = run_scalars(run)
    return run_record(method, seed, config, read_report(run), scalars,
                      wall_s, **extra), note


def load_experiment(path: str) -> Tuple[dict, List[dict]]:
    """The header and the run records of an experiment file.

    Args:
        path (str): A ``.jsonl`` experiment file (missing: empty).

    Returns:
        tuple[dict, list[dict]]: The header (``{}`` if none) and the runs.
    """
    header, runs = {}, []
    if not osp.isfile(path):
        return header, runs
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}:{number}: not a JSON record '
                                 f'({e.msg})') from None
            if 'experiment' in record:
                header = record
            elif 'method' in record and 'last' in record:
                runs.append(record)
            else:
                raise ValueError(f'{path}:{number}: neither an experiment '
                                 'header nor a run record (no "method"/'
                                 '"last")')
    return header, runs


def save_experiment(path: str, header: dict, runs: Sequence[dict]) -> None:
    """Write an experiment file: the header, then one line per run."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    lines = ([header] if header else []) + list(runs)
    with open(path, 'w') as f:
        for record in lines:
            f.write(json.dumps(json_safe(record), allow_nan=False) + '\n')


def add_runs(path: str, runs: Sequence[dict],
             header: Optional[dict] = None) -> int:
    """Add runs to an experiment file; a run of the same method and seed
    is replaced in place. Header fields are updated, commands added.

    Args:
        path (str): The experiment file (created if missing).
        runs (Sequence[dict]): Run records.
        header (dict, optional): Header fields (``commands``: a list).

    Returns:
        int: The number of runs in the file.
    """
    old_header, old = load_experiment(path)
    if header:
        commands = list(old_header.get('commands', []))
        commands += [c for c in header.get('commands', [])
                     if c not in commands]
        old_header = dict(old_header, **header)
        old_header.setdefault('experiment',
                              osp.splitext(osp.basename(path))[0])
        if commands:
            old_header['commands'] = commands
    index = {(r['method'], r.get('seed')): i for i, r in enumerate(old)}
    for run in runs:
        key = (run['method'], run.get('seed'))
        if key in index:
            old[index[key]] = run
        else:
            index[key] = len(old)
            old.append(run)
    save_experiment(path, old_header, old)
    return len(old)


def mean_std(values: Sequence[Optional[float]]) -> Dict[str, float]:
    """Mean and sample standard deviation (0 for one value).

    Args:
        values (Sequence[float]): Numbers (None ignored).

    Returns:
        dict: ``mean``, ``std``, ``n``.
    """
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    if not len(arr):
        return dict(mean=float('nan'), std=float('nan'), n=0)
    std = float(arr.std(ddof=1)) if len(arr) > 1 else 0.0
    return dict(mean=float(arr.mean()), std=std, n=int(len(arr)))


def cell(stat: dict, digits: int = 2) -> str:
    """``mean ± std`` (or ``-``)."""
    if not stat['n'] or stat['mean'] != stat['mean']:
        return '-'
    if stat['n'] == 1:
        return f'{stat["mean"]:.{digits}f}'
    return f'{stat["mean"]:.{digits}f} ± {stat["std"]:.{digits}f}'


def select(runs: Sequence[dict], methods: Optional[Sequence[str]] = None,
           seeds: Optional[Sequence[int]] = None) -> Dict[str, List[dict]]:
    """Runs by method (in ``methods`` order, else file order), by seed."""
    if methods is None:
        methods = list(dict.fromkeys(r['method'] for r in runs))
    out = {}
    for method in methods:
        chosen = [r for r in runs if r['method'] == method and (
            seeds is None or r.get('seed') in seeds)]
        out[method] = sorted(chosen, key=lambda r: (r.get('seed') is None,
                                                    r.get('seed')))
    return out


def summarize(label: str, runs: Sequence[dict]) -> dict:
    """Mean and std over seeds of one method's figures."""
    row = dict(method=label, seeds=[r.get('seed') for r in runs],
               wall_s=mean_std([r.get('wall_s') for r in runs]))
    for key in METRICS:
        row[f'last {key}'] = mean_std([r['last'].get(key) for r in runs])
    row['best lt/top1'] = mean_std([(r.get('best') or r['last']).get(
        'lt/top1') for r in runs])
    return row


def methods_table(runs: Sequence[dict],
                  methods: Optional[Sequence[str]] = None,
                  seeds: Optional[Sequence[int]] = None,
                  wall: bool = False,
                  bold: bool = False,
                  failed: Optional[Dict[str, List[int]]] = None) -> str:
    """Per method: top-1 last and best, class-avg, groups, ECE (, time).

    Args:
        runs (Sequence[dict]): Run records.
        methods (Sequence[str], optional): Rows, in order.
        seeds (Sequence[int], optional): Only these seeds.
        wall (bool): Add the mean wall seconds per run.
        bold (bool): Bold the best last-epoch top-1.
        failed (dict, optional): Failed seeds per method, shown beside.

    Returns:
        str: A markdown table.
    """
    rows = [summarize(m, rs) for m, rs in select(runs, methods,
                                                 seeds).items()]
    best = max((r['last lt/top1']['mean'] for r in rows
                if r['last lt/top1']['n']), default=None)
    head = ('| method | seeds | top-1 last | top-1 best | class-avg | many | '
            'medium | few | ECE |')
    lines = [head + (' s / run |' if wall else ''),
             '|---' * (10 if wall else 9) + '|']
    for row in rows:
        seeds_cell = ','.join(map(str, row['seeds'])) or '-'
        if failed and failed.get(row['method']):
            seeds_cell += (' (failed: '
                           f'{",".join(map(str, failed[row["method"]]))})')
        top1 = cell(row['last lt/top1'])
        if bold and row['last lt/top1']['mean'] == best:
            top1 = f'**{top1}**'
        cells = [row['method'], seeds_cell, top1, cell(row['best lt/top1'])]
        cells += [cell(row[f'last lt/{k}'])
                  for k in ('class_avg', 'many', 'medium', 'few', 'ece')]
        if wall:
            cells.append(cell(row['wall_s'], 0))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def by_epoch_table(runs: Sequence[dict],
                   methods: Optional[Sequence[str]] = None,
                   seeds: Optional[Sequence[int]] = None,
                   key: str = 'lt/top1',
                   digits: int = 1) -> str:
    """Mean ``key`` over seeds at every validated epoch, a row per method.

    Args:
        runs (Sequence[dict]): Run records (with ``val`` curves).
        methods (Sequence[str], optional): Rows, in order.
        seeds (Sequence[int], optional): Only these seeds.
        key (str): The metric. Defaults to ``'lt/top1'``.
        digits (int): Decimals. Defaults to 1.

    Returns:
        str: A markdown table.
    """
    chosen = select(runs, methods, seeds)
    unit = next(r['unit'] for rs in chosen.values() for r in rs)
    steps = sorted({s for rs in chosen.values() for r in rs
                    for s in r['val'][unit]})
    lines = [f'| {unit} | ' + ' | '.join(map(str, steps)) + ' |',
             '|---' * (len(steps) + 1) + '|']
    for method, rs in chosen.items():
        cells = []
        for step in steps:
            values = [r['val'][key][r['val'][unit].index(step)] for r in rs
                      if step in r['val'][unit]]
            cells.append(cell(mean_std(values), digits).split(' ')[0])
        lines.append(f'| {method} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def grid_table(runs: Sequence[dict], rows: Sequence[str],
               cols: Sequence[str], key: str = 'lt/top1') -> str:
    """The observation grid: test error (100 - ``key``) of each pair.

    The run of representation ``r`` and classifier ``c`` is the record
    with method ``stage2-r-c``; the lowest error is bold.

    Args:
        runs (Sequence[dict]): Run records.
        rows (Sequence[str]): Stage-1 methods.
        cols (Sequence[str]): Stage-2 methods.
        key (str): The accuracy.

    Returns:
        str: A markdown table.
    """
    by_name = {r['method']: r for r in runs}
    error = {(m1, m2): 100.0 - by_name[f'stage2-{m1}-{m2}']['last'][key]
             for m1 in rows for m2 in cols}
    lowest = min(error.values())
    lines = ['| representation \\ classifier | ' +
             ' | '.join(c.upper() for c in cols) + ' |',
             '|---|' + '---|' * len(cols)]
    for m1 in rows:
        cells = [f'{error[m1, m2]:.2f}' for m2 in cols]
        cells = [f'**{c}**' if error[m1, m2] == lowest else c
                 for c, m2 in zip(cells, cols)]
        lines.append(f'| {m1.upper()} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def zoo_table(metafile: str, readme_dir: str) -> str:
    """The model zoo of a metafile: results, config and weights per model.

    Args:
        metafile (str): A ``metafile.yml`` in MMPretrain's schema.
        readme_dir (str): The folder of the README (links are relative).

    Returns:
        str: A markdown table.
    """
    import yaml
    with open(metafile) as f:
        models = yaml.safe_load(f).get('Models') or []
    root = osp.dirname(osp.abspath(metafile))
    while root != osp.dirname(root) and not osp.isfile(
            osp.join(root, 'model-index.yml')):
        root = osp.dirname(root)
    lines = ['| model | data | top-1 (%) | top-5 (%) | config | weights |',
             '|---|---|---|---|---|---|']
    for model in models:
        results = (model.get('Results') or [{}])[0]
        metrics = results.get('Metrics') or {}
        data = results.get('Dataset') or model['Metadata'].get(
            'Training Data', '-')

        def number(name):
            value = metrics.get(name)
            return '-' if value is None else f'{value:.2f}'

        config = osp.relpath(osp.join(root, model['Config']), readme_dir)
        weights = (f'`{model["Weights"]}`' if model.get('Weights') else
                   'not trained yet')
        lines.append(
            f'| `{model["Name"]}` | {data} | {number("Top 1 Accuracy")} | '
            f'{number("Top 5 Accuracy")} | [config]({config}) | {weights} |')
    return '\n'.join(lines)


# Marker comments around a generated README table.
BEGIN, END = '<!-- results-table', '<!-- /results-table -->'


def _list(value: Optional[str], kind=str) -> Optional[list]:
    return None if value is None else [kind(v) for v in value.split(',')]


def render(spec: str, repo: str, readme_dir: str) -> str:
    """The table a marker describes.

    ``spec`` is the marker's text after ``results-table``: a kind, then
    ``key=value`` options (paths relative to the repository):

    - ``methods file=F [methods=a,b] [seeds=0,1] [wall=1] [bold=1]``
    - ``by-epoch file=F [methods=a,b] [seeds=0,1] [key=lt/top1]``
    - ``grid file=F rows=ce,rw cols=ce,rs``
    - ``zoo metafile=M``

    Args:
        spec (str): The marker's specification.
        repo (str): The repository root.
        readme_dir (str): The README's folder.

    Returns:
        str: The markdown table.
    """
    kind, *options = shlex.split(spec)
    opts = dict(o.split('=', 1) for o in options)
    if kind == 'zoo':
        return zoo_table(osp.join(repo, opts['metafile']), readme_dir)
    _, runs = load_experiment(osp.join(repo, opts['file']))
    methods = _list(opts.get('methods'))
    seeds = _list(opts.get('seeds'), int)
    if kind == 'methods':
        return methods_table(runs, methods, seeds,
                             wall=opts.get('wall') == '1',
                             bold=opts.get('bold') == '1')
    if kind == 'by-epoch':
        return by_epoch_table(runs, methods, seeds,
                              key=opts.get('key', 'lt/top1'))
    if kind == 'grid':
        return grid_table(runs, _list(opts['rows']), _list(opts['cols']))
    raise ValueError(f'results-table: unknown kind {kind!r} (methods, '
                     'by-epoch, grid, zoo)')


def regenerate(text: str, repo: str, readme_dir: str) -> Tuple[str, int]:
    """A README's text with every marked table rendered again.

    Args:
        text (str): The README.
        repo (str): The repository root.
        readme_dir (str): The README's folder.

    Returns:
        tuple[str, int]: The new text and the number of tables.
    """
    out, count, rest = [], 0, text
    while BEGIN in rest:
        head, rest = rest.split(BEGIN, 1)
        spec, rest = rest.split('-->', 1)
        if END not in rest:
            raise ValueError(f'results-table {spec.strip()!r}: no {END}')
        _, rest = rest.split(END, 1)
        table = render(spec.strip(), repo, readme_dir)
        out.append(f'{head}{BEGIN} {spec.strip()} -->\n{table}\n{END}')
        count += 1
    out.append(rest)
    return ''.join(out), count


__all__ = [
    'METRICS', 'add_runs', 'by_epoch_table', 'cell', 'grid_table',
    'load_experiment', 'mean_std', 'method_label', 'methods_table',
    'record_run_dir', 'regenerate', 'render', 'run_record',
    'save_experiment', 'select', 'summarize', 'zoo_table'
]
