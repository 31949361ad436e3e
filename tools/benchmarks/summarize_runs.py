"""Summarise finished training runs: last and best top-1, many/medium/few.

Reads what :class:`LongTailMetricHook` writes into each run's log dir
(``best_last.json``) and prints one line per run plus a markdown table;
writes everything as JSON.

Usage:
    python tools/benchmarks/summarize_runs.py WORK_DIR [WORK_DIR ...]
        [--out summary.json]
"""
import argparse
import glob
import json
import os.path as osp
from typing import List, Optional

KEYS = ('lt/top1', 'lt/many', 'lt/medium', 'lt/few', 'lt/class_avg',
        'lt/ece')


def find_report(work_dir: str) -> Optional[str]:
    """The newest ``best_last.json`` under a work dir."""
    found = sorted(glob.glob(osp.join(work_dir, '*', 'best_last.json')))
    return found[-1] if found else None


def summarize(work_dir: str) -> dict:
    """Last and best epoch figures of one run.

    Args:
        work_dir (str): A run's work dir.

    Returns:
        dict: ``run``, ``last``, ``best`` (each metric key -> value) and the
        epochs; ``missing`` if the run wrote no report.
    """
    path = find_report(work_dir)
    if path is None:
        return dict(run=work_dir, missing=True)
    with open(path) as f:
        report = json.load(f)
    pick = lambda h: {k: h[k] for k in KEYS if k in h}  # noqa: E731
    return dict(run=work_dir, report=path,
                last_epoch=report['last']['epoch'],
                best_epoch=report['best']['epoch'],
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
            f'({r["best_epoch"]}) | {fmt(last, "lt/many")} | '
            f'{fmt(last, "lt/medium")} | {fmt(last, "lt/few")} | '
            f'{fmt(last, "lt/ece")} |')
    return '\n'.join(lines)


def main() -> None:
    """Print the summary lines and table; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+')
    parser.add_argument('--out', default='summary.json')
    args = parser.parse_args()
    rows = [summarize(w) for w in args.work_dirs]
    for r in rows:
        if r.get('missing'):
            print(f'{r["run"]}: no best_last.json')
        else:
            print(f'{r["run"]}: last top-1 {r["last"]["lt/top1"]:.2f} '
                  f'(epoch {r["last_epoch"]}), best '
                  f'{r["best"]["lt/top1"]:.2f} (epoch {r["best_epoch"]})')
    print(table(rows))
    with open(args.out, 'w') as f:
        json.dump(rows, f, indent=1)


if __name__ == '__main__':
    main()
