"""Reliability diagram (accuracy per confidence bin, ECE), as a PNG.

Reads the per-class JSON that LongTailMetric writes (its ``reliability``
bins and ``summary.ece``).

Usage:
    python tools/analysis_tools/plot_reliability.py RESULT_JSON
        [--out reliability.png] [--title TITLE]
"""
import argparse
import os.path as osp
import sys

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.plots import load_result, plot_reliability_diagram  # noqa: E402


def main() -> None:
    """Parse the command line and draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('result', help='long_tail_*.json of LongTailMetric')
    parser.add_argument('--out', help='PNG file (default: beside the JSON, '
                        'reliability.png)')
    parser.add_argument('--title', help='title of the figure')
    args = parser.parse_args()
    out = args.out or osp.join(
        osp.dirname(osp.abspath(args.result)), 'reliability.png')
    plot_reliability_diagram(load_result(args.result), out, args.title)
    print(f'reliability diagram written to {out}')


if __name__ == '__main__':
    main()
