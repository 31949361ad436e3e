"""Summarise finished training runs: last and best top-1, many/medium/few.

Reads the ``best_last.json`` that :class:`LongTailMetricHook` writes into
each run's log dir, prints one line per run (naming the run it read: the
newest of a work dir, or the run dir given) plus a markdown table, and
writes everything as JSON.

Usage:
    python tools/benchmarks/summarize_runs.py RUN_OR_WORK_DIR [...]
        [--out summary.json]
"""
import argparse
import json
import os.path as osp
import sys
from typing import List

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.records import REPORT, find_run, read_report  # noqa: E402

KEYS = ('lt/top1', 'lt/many', 'lt/medium', 'lt/few', 'lt/class_avg',
        'lt/ece')


def summarize(path: str) -> dict:
    """Last and best figures of one run.

    Args:
        path (str): A run dir, or a work dir (its newest finished run).

    Returns:
        dict: ``run``, ``read`` (which run), ``last``, ``best`` (each
        metric key -> value) and their epochs (or iterations);
        ``missing`` if no run wrote a report.
    """
    try:
        run, note = find_run(path, REPORT)
    except FileNotFoundError as e:
        return dict(run=path, missing=True, read=str(e))
    report = read_report(run)
    unit = report.get('unit', 'epoch')

    def pick(entry):
        return {k: entry[k] for k in KEYS if entry.get(k) is not None}

    return dict(run=path, report=osp.join(run, REPORT), read=note,
                unit=unit, last_step=report['last'].get(unit),
                best_step=report['best'].get(unit),
                last=pick(report['last']), best=pick(report['best']))


def table(rows: List[dict]) -> str:
    """Markdown table of last and best figures."""
    head = ('| run | last top-1 | best top-1 (epoch) | many | medium | few '
            '| ECE |\n|---|---|---|---|---|---|---|')
    lines = [head]
    for r in rows:
        if r.get('missing'):
            lines.append(f'| {r["run"]} | (no report) | | | | | |')
            continue
        last, best = r['last'], r['best']
        fmt = lambda d, k: f'{d[k]:.2f}' if k in d else '-'  # noqa: E731
        lines.append(
            f'| {osp.basename(r["run"].rstrip("/"))} | '
            f'{fmt(last, "lt/top1")} | {fmt(best, "lt/top1")} '
            f'({r["best_step"]}) | {fmt(last, "lt/many")} | '
            f'{fmt(last, "lt/medium")} | {fmt(last, "lt/few")} | '
            f'{fmt(last, "lt/ece")} |')
    return '\n'.join(lines)


def main(argv=None) -> None:
    """Print the summary lines and table; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+',
                        help='run dirs or work dirs (their newest run)')
    parser.add_argument('--out', default='summary.json')
    args = parser.parse_args(argv)
    rows = [summarize(w) for w in args.work_dirs]
    for r in rows:
        if r.get('missing'):
            print(f'{r["run"]}: no {REPORT} ({r["read"]})')
        else:
            print(f'{r["run"]}: {r["read"]}; last top-1 '
                  f'{r["last"]["lt/top1"]:.2f} ({r["unit"]} '
                  f'{r["last_step"]}), best {r["best"]["lt/top1"]:.2f} '
                  f'({r["unit"]} {r["best_step"]})')
    print(table(rows))
    with open(args.out, 'w') as f:
        json.dump(rows, f, indent=1)


if __name__ == '__main__':
    main()
