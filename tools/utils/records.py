"""Find a run in a work dir and read what MMEngine and mmbbn logged.

Every ``Runner`` logs into its own ``{work_dir}/{timestamp}/`` (the text
log, ``vis_data/scalars.json``, the per-class JSON and ``best_last.json``
of :class:`~mmbbn.engine.LongTailMetricHook`), so a work dir trained twice
holds two runs. Tools take a work dir (they read its newest run, and say
so) or a run dir.
"""
import json
import os
import os.path as osp
import re
from typing import List, Optional, Tuple

from mmbbn.engine.hooks.long_tail_metric_hook import (merge_runs,
                                                      read_scalars,
                                                      scalars_file)

SCALARS = osp.join('vis_data', 'scalars.json')
REPORT = 'best_last.json'
_TIMESTAMP = re.compile(r'^\d{8}_\d{6}$')


def runs_in(work_dir: str, needs: str) -> List[str]:
    """The run dirs of a work dir that hold ``needs``, oldest first.

    Args:
        work_dir (str): A work dir.
        needs (str): A file every returned run dir has (relative to it).

    Returns:
        list[str]: Run dirs, by their timestamp.
    """
    if not osp.isdir(work_dir):
        return []
    names = sorted(n for n in os.listdir(work_dir) if _TIMESTAMP.match(n))
    return [osp.join(work_dir, n) for n in names
            if osp.isfile(osp.join(work_dir, n, needs))]


def find_run(path: str, needs: str) -> Tuple[str, str]:
    """The run a tool reads: ``path`` if it is one, else its newest.

    Args:
        path (str): A run dir, a file in one (``scalars.json``,
            ``best_last.json``), or a work dir.
        needs (str): The file the run must hold, e.g. :data:`SCALARS`.

    Returns:
        tuple[str, str]: The run dir, and one line saying which run was
        read (and how many the work dir holds).
    """
    if osp.isfile(path):
        run = osp.dirname(osp.abspath(path))
        if osp.basename(run) == 'vis_data':
            run = osp.dirname(run)
        return run, f'reading run {run}'
    if osp.isfile(osp.join(path, needs)):
        return path, f'reading run {path}'
    runs = runs_in(path, needs)
    if not runs:
        raise FileNotFoundError(
            f'{path}: no run with {needs} (a work dir holds one '
            '{timestamp}/ folder per run)')
    note = f'reading run {runs[-1]}'
    if len(runs) > 1:
        note += (f' (the newest of {len(runs)} runs in {path}; pass a run '
                 'dir to read another)')
    return runs[-1], note


def read_report(run_dir: str) -> Optional[dict]:
    """The ``best_last.json`` of a run, or None if it did not finish."""
    path = osp.join(run_dir, REPORT)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def run_scalars(run_dir: str) -> Tuple[List[dict], List[str]]:
    """A run's scalar records, with those of the runs it resumed.

    A finished run's ``best_last.json`` lists the runs its training
    continued and where each began; their records come first, each cut
    where the next run resumed (as in the best/last report).

    Args:
        run_dir (str): A run dir.

    Returns:
        tuple[list[dict], list[str]]: The records and the run dirs read.
    """
    report = read_report(run_dir) or {}
    runs = report.get('runs') or []
    if not runs or osp.abspath(runs[-1]['log_dir']) != osp.abspath(run_dir):
        runs = [dict(log_dir=run_dir, begin=0)]
    unit = report.get('unit', 'epoch')
    found = [(run, read_scalars(scalars_file(run['log_dir'])))
             for run in runs if osp.isfile(scalars_file(run['log_dir']))]
    merged = merge_runs([(run['begin'], [
        dict(r, position=_position(r, unit)) for r in records
    ]) for run, records in found], key='position')
    for record in merged:
        record.pop('position')
    return merged, [run['log_dir'] for run, _ in found]


def wall_seconds(run_dirs: List[str]) -> Optional[float]:
    """Seconds from the first to the last line of each run's text log.

    Args:
        run_dirs (list[str]): Run dirs (a training and those it resumed).

    Returns:
        float | None: Their sum; None without a log.
    """
    import datetime
    total, found = 0.0, False
    for run in run_dirs:
        log = osp.join(run, f'{osp.basename(osp.normpath(run))}.log')
        if not osp.isfile(log):
            continue
        stamps = []
        with open(log) as f:
            for line in f:
                try:
                    stamps.append(datetime.datetime.strptime(
                        line[:19], '%Y/%m/%d %H:%M:%S'))
                except ValueError:
                    continue
        if stamps:
            found = True
            total += (stamps[-1] - stamps[0]).total_seconds()
    return total if found else None


def _position(record: dict, unit: str) -> int:
    """Where a scalar record lies in training, counted in ``unit``.

    Training records carry ``epoch`` (counted from 1) and ``iter``;
    validation records only ``step``, which is what LoggerHook counts.
    """
    if unit in record and 'lr' in record:
        return record[unit]
    return record.get('step', 0)


__all__ = [
    'REPORT', 'SCALARS', 'find_run', 'read_report', 'run_scalars', 'runs_in',
    'wall_seconds'
]
