"""Per-class weight norms of each branch's half of BBN's classifier.

BBN's classifier is one linear layer over ``[f_c, f_r]``: its weight
``W = [W_c, W_r]`` (``head.fc.weight``, C x 2d) has one half per branch.
The paper shows the L2 norm of each class's row of ``W_c`` and ``W_r``,
classes sorted by training count: the re-balancing half favours the tail
classes. This tool draws that picture for a checkpoint and writes the
numbers as JSON. Which columns belong to which branch is read from
``mix_features``, the one place that orders ``[f_c, f_r]``. The training
counts come from the config's training set, labels only (no image read).

Usage:
    python tools/analysis_tools/plot_weight_norms.py CONFIG CHECKPOINT
        --out norms.png [--json norms.json] [--cfg-options k=v ...]
"""
import argparse
import json
from typing import List, Optional

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import CheckpointLoader

from mmbbn.datasets import get_class_counts
from mmbbn.models import mix_features
from mmbbn.registry import DATASETS
from mmbbn.structures import BranchPair


def branch_norms(weight: torch.Tensor) -> BranchPair:
    """L2 norm of each class's row of the conventional and re-balancing
    halves of a BBN classifier weight.

    Args:
        weight (Tensor): ``head.fc.weight`` of shape (C, 2 d).

    Returns:
        BranchPair: (C, ) norms of ``W_c`` and of ``W_r``.
    """
    d = weight.shape[1] // 2
    ones, zeros = torch.ones(1, d), torch.zeros(1, d)
    # The columns mix_features fills from f_c (and from f_r).
    conventional = mix_features(BranchPair(ones, zeros), 0.5)[0] > 0
    rebalancing = mix_features(BranchPair(zeros, ones), 0.5)[0] > 0
    return BranchPair(weight[:, conventional].norm(dim=1),
                      weight[:, rebalancing].norm(dim=1))


def load_weight(path: str) -> torch.Tensor:
    """``head.fc.weight`` of a BBN checkpoint (MMEngine's safe loader)."""
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    weight = state.get('head.fc.weight')
    if not any(k.startswith('neck.rebalancing.') for k in state):
        raise SystemExit(f'{path}: not a BBN checkpoint (no '
                         'neck.rebalancing.* weights)')
    if weight is None or weight.ndim != 2 or weight.shape[1] % 2:
        raise SystemExit(
            f'{path}: no BBN classifier weight head.fc.weight of shape '
            '(classes, 2 d) (got '
            f'{None if weight is None else tuple(weight.shape)})')
    return weight.float()


def summarise(norms: BranchPair, counts: np.ndarray,
              names: Optional[List[str]]) -> dict:
    """The per-class numbers in training-count order, and a summary.

    Args:
        norms (BranchPair): (C, ) norms of each half.
        counts (np.ndarray): Training images per class.
        names (list[str], optional): Class names.

    Returns:
        dict: ``classes`` (most to fewest training images) and, per half,
        the mean norm of the first and last third of them.
    """
    order = sorted(range(len(counts)), key=lambda i: (-counts[i], i))
    classes = [
        dict(index=i, name=names[i] if names else str(i),
             train_count=int(counts[i]),
             norm_conventional=float(norms.conventional[i]),
             norm_rebalancing=float(norms.rebalancing[i])) for i in order
    ]
    third = max(len(order) // 3, 1)
    summary = {}
    for branch in BranchPair._fields:
        values = [c[f'norm_{branch}'] for c in classes]
        summary[branch] = dict(
            head_mean=float(np.mean(values[:third])),
            tail_mean=float(np.mean(values[-third:])))
    return dict(classes=classes, head_and_tail_thirds=summary)


def plot(result: dict, out_file: str, title: str) -> None:
    """Draw both halves' norms over classes sorted by training count."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    classes = result['classes']
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6.4, 0.08 * len(classes)), 4.0))
    counts_ax = ax.twinx()
    counts_ax.bar(x, [c['train_count'] for c in classes], color='0.85',
                  width=1.0, zorder=0, label='training images')
    counts_ax.set_yscale('log')
    counts_ax.set_ylabel('training images (log)')
    ax.set_zorder(counts_ax.get_zorder() + 1)
    ax.patch.set_visible(False)
    for branch, colour, label in (
            ('conventional', 'tab:blue', 'conventional half (W_c, for f_c)'),
            ('rebalancing', 'tab:red', 're-balancing half (W_r, for f_r)')):
        ax.plot(x, [c[f'norm_{branch}'] for c in classes], 'o-',
                color=colour, markersize=3, label=label)
    ax.set_xlabel('class, most to fewest training images')
    ax.set_ylabel('L2 norm of the class weights')
    if len(classes) <= 30:
        ax.set_xticks(x, [c['name'] for c in classes], rotation=90)
    ax.legend(loc='upper left')
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=120)
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> None:
    """Parse the command line, read the weights and counts, draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config of the model (its training '
                        'set gives the class counts)')
    parser.add_argument('checkpoint', help='BBN checkpoint')
    parser.add_argument('--out', required=True, help='PNG file')
    parser.add_argument('--json', help='also write the numbers here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings, key=value (nested keys with dots)')
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    weight = load_weight(args.checkpoint)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    counts = get_class_counts(dataset)
    if len(counts) != weight.shape[0]:
        raise SystemExit(
            f'{args.checkpoint}: head.fc.weight has {weight.shape[0]} '
            f'classes, the training set of {args.config} {len(counts)}')
    names = dataset.metainfo.get('classes')
    result = summarise(branch_norms(weight), counts,
                       [str(n) for n in names] if names else None)
    result.update(config=args.config, checkpoint=args.checkpoint,
                  branch_channels=weight.shape[1] // 2)
    plot(result, args.out, f'BBN classifier weight norms per class '
         f'({len(counts)} classes)')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=1)
    s = result['head_and_tail_thirds']
    print(f'weight norms of {len(counts)} classes (head third -> tail '
          f'third): conventional {s["conventional"]["head_mean"]:.3f} -> '
          f'{s["conventional"]["tail_mean"]:.3f}, re-balancing '
          f'{s["rebalancing"]["head_mean"]:.3f} -> '
          f'{s["rebalancing"]["tail_mean"]:.3f}; picture {args.out}'
          + (f', numbers {args.json}' if args.json else ''))


if __name__ == '__main__':
    main()
