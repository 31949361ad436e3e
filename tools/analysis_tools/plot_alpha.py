"""BBN's alpha (and lr, validation top-1) over training, as a PNG.

Reads an MMEngine run's scalar log: ``vis_data/scalars.json`` (or the
``{timestamp}.json`` beside it), the text ``{timestamp}.log``, or a work
dir (the newest log under it is used).

Usage:
    python tools/analysis_tools/plot_alpha.py LOG_OR_WORK_DIR
        [--out alpha.png] [--title TITLE]
"""
import argparse
import os.path as osp

from mmbbn.visualization import find_scalars, load_scalars, plot_alpha


def main() -> None:
    """Parse the command line and draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('log', help='scalars.json, a .log, or a work dir')
    parser.add_argument('--out', help='PNG file (default: beside the log, '
                        'alpha.png)')
    parser.add_argument('--title', help='title of the figure')
    args = parser.parse_args()
    path = find_scalars(args.log)
    out = args.out or osp.join(osp.dirname(osp.abspath(path)), 'alpha.png')
    plot_alpha(load_scalars(path), out, args.title)
    print(f'alpha plot of {path} written to {out}')


if __name__ == '__main__':
    main()
