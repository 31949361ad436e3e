"""Per-class top-1 accuracy against training images, as a PNG.

Reads the per-class JSON that LongTailMetric writes at every validation
and test (``{work_dir}/{timestamp}/long_tail_test.json``, ...).

Usage:
    python tools/analysis_tools/plot_per_class.py RESULT_JSON
        [--out per_class_accuracy.png] [--title TITLE]
"""
import argparse
import os.path as osp
import sys

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.plots import load_result, plot_per_class_accuracy  # noqa: E402


def main() -> None:
    """Parse the command line and draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('result', help='long_tail_*.json of LongTailMetric')
    parser.add_argument('--out', help='PNG file (default: beside the JSON, '
                        'per_class_accuracy.png)')
    parser.add_argument('--title', help='title of the figure')
    args = parser.parse_args()
    out = args.out or osp.join(
        osp.dirname(osp.abspath(args.result)), 'per_class_accuracy.png')
    plot_per_class_accuracy(load_result(args.result), out, args.title)
    print(f'per-class accuracy plot written to {out}')


if __name__ == '__main__':
    main()
