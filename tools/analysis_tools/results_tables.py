"""Regenerate the result tables of the READMEs from docs/results/*.jsonl.

Every table between ``<!-- results-table KIND ... -->`` and
``<!-- /results-table -->`` in a README is rendered again from the
experiment file (or metafile) its marker names; everything else is left
as it is. ``--check`` changes nothing and fails if a table is stale.

Usage:
    python tools/analysis_tools/results_tables.py [README ...] [--check]
"""
import argparse
import glob
import os.path as osp
import sys

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO = osp.dirname(TOOLS)
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.results import regenerate  # noqa: E402


def readmes() -> list:
    """The READMEs with result tables: ``configs/*/README.md``."""
    return sorted(glob.glob(osp.join(REPO, 'configs', '*', 'README.md')))


def main(argv=None) -> int:
    """Rewrite (or check) the tables; print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('readmes', nargs='*',
                        help='README files (default: configs/*/README.md)')
    parser.add_argument('--check', action='store_true',
                        help='fail if a table differs from its files')
    args = parser.parse_args(argv)
    stale, tables = [], 0
    for path in args.readmes or readmes():
        with open(path) as f:
            text = f.read()
        try:
            new, count = regenerate(text, REPO, osp.dirname(
                osp.abspath(path)))
        except (KeyError, ValueError, FileNotFoundError) as e:
            raise SystemExit(f'{path}: {type(e).__name__}: {e}') from None
        tables += count
        if new != text:
            stale.append(osp.relpath(path, REPO))
            if not args.check:
                with open(path, 'w') as f:
                    f.write(new)
    if args.check and stale:
        print(f'results_tables: out of date: {", ".join(stale)} (run '
              'python tools/analysis_tools/results_tables.py)')
        return 1
    print(f'results_tables: {tables} tables, '
          + (f'rewrote {", ".join(stale)}' if stale and not args.check
             else 'all up to date'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
