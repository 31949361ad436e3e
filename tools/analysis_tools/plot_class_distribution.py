"""Images per class of a configured data set, sorted, as a PNG.

Builds the data set of a config (the training set by default) and counts
its labels without reading any image (``get_gt_labels()``).

Usage:
    python tools/analysis_tools/plot_class_distribution.py CONFIG
        [--split train|val|test] [--out class_distribution.png]
        [--title TITLE] [--cfg-options k=v ...]
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from mmbbn.datasets import get_class_counts
from mmbbn.registry import DATASETS

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.plots import plot_class_distribution  # noqa: E402


def main() -> None:
    """Parse the command line, build the data set and draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--split', choices=['train', 'val', 'test'],
                        default='train', help='which data loader\'s set')
    parser.add_argument('--out', default='class_distribution.png',
                        help='PNG file')
    parser.add_argument('--title', help='title of the figure')
    parser.add_argument('--many-shot', type=int, default=100)
    parser.add_argument('--few-shot', type=int, default=20)
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings, key=value (nested keys with dots)')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    loader = cfg.get(f'{args.split}_dataloader')
    if not loader or not loader.get('dataset'):
        raise SystemExit(f'{args.config}: no {args.split}_dataloader.dataset')
    dataset = DATASETS.build(loader['dataset'])
    counts = get_class_counts(dataset)
    classes = dataset.metainfo.get('classes')
    title = args.title or (
        f'{type(getattr(dataset, "dataset", dataset)).__name__} '
        f'{args.split}: {int(counts.sum())} images, {len(counts)} classes, '
        f'imbalance factor {counts.max() / max(counts.min(), 1):.0f}')
    plot_class_distribution(counts, args.out, classes, title,
                            args.many_shot, args.few_shot)
    print(f'class distribution of {args.split} ({int(counts.sum())} images, '
          f'{len(counts)} classes) written to {args.out}')


if __name__ == '__main__':
    main()
