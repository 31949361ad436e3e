"""Long-tail pictures: per-class accuracy, reliability, class counts.

Each function takes plain data (the per-class JSON that
:class:`~mmbbn.evaluation.LongTailMetric` writes, or a count array), draws
with Matplotlib's Agg backend (no display needed) and writes a PNG.
``tools/analysis_tools/plot_*.py`` and ``tools/test.py --plot-per-class``
are thin command lines over them.
"""
import json
import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

GROUP_COLOURS = dict(many='#2b8cbe', medium='#f0a830', few='#d7301f')
# Above this many classes per-class accuracies are drawn as points.
DENSE_CLASSES = 300


def agg_pyplot():
    """Matplotlib's pyplot on the Agg backend (headless)."""
    import matplotlib
    matplotlib.use('Agg', force=True)
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, out_file: str) -> str:
    """Write a figure as a PNG (folders are created) and close it."""
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file, dpi=120, bbox_inches='tight')
    agg_pyplot().close(fig)
    return out_file


def _as_float(values: Sequence) -> np.ndarray:
    """Floats with NaN for None (the JSON's empty entries)."""
    return np.array([np.nan if v is None else v for v in values],
                    dtype=np.float64)


def load_result(path: str) -> dict:
    """Read a per-class result JSON written by ``LongTailMetric``.

    Args:
        path (str): The ``long_tail_*.json`` file.

    Returns:
        dict: The result.
    """
    with open(path) as f:
        result = json.load(f)
    for key in ('per_class_accuracy', 'reliability'):
        if key not in result:
            raise ValueError(f'{path}: no {key!r} field; is it a '
                             'long_tail_*.json written by LongTailMetric?')
    return result


def _group_spans(counts: np.ndarray, many_shot: int,
                 few_shot: int) -> List[tuple]:
    """(name, first rank, last rank + 1) of each group in by-count order."""
    ranked = np.sort(counts)[::-1]
    many = int(np.sum(ranked > many_shot))
    few = int(np.sum(ranked < few_shot))
    spans = [('many', 0, many), ('medium', many, len(ranked) - few),
             ('few', len(ranked) - few, len(ranked))]
    return [s for s in spans if s[2] > s[1]]


def plot_per_class_accuracy(result: dict,
                            out_file: str,
                            title: Optional[str] = None) -> str:
    """Per-class top-1 accuracy against training count, classes by count.

    Bars (points above 300 classes): each class's accuracy, classes
    ordered by training images, most first (classes without test images
    are left out); line (right axis, log scale): its training images;
    shaded: the many / medium / few-shot groups, with their accuracy as a
    dashed line. With more than 60 classes a running mean is drawn too.

    Args:
        result (dict): A ``LongTailMetric`` per-class result.
        out_file (str): The PNG to write.
        title (str, optional): Title; default names the summary figures.

    Returns:
        str: ``out_file``.
    """
    plt = agg_pyplot()
    acc = _as_float(result['per_class_accuracy'])
    num = len(acc)
    counts = result.get('train_class_counts')
    counts = None if counts is None else np.asarray(counts, np.int64)
    order = (np.argsort(-counts, kind='stable')
             if counts is not None else np.arange(num))
    classes = result.get('classes') or [str(i) for i in range(num)]
    summary = result.get('summary', {})
    x = np.arange(num)

    fig, ax = plt.subplots(figsize=(min(16, 6 + num * 0.12), 4.8))
    if counts is not None:
        many = result.get('many_shot', 100)
        few = result.get('few_shot', 20)
        for name, lo, hi in _group_spans(counts, many, few):
            value = summary.get(name)
            label = (f'{name}: {hi - lo} classes' +
                     (f', {value:.1f}%' if value is not None else ''))
            ax.axvspan(lo - 0.5, hi - 0.5, color=GROUP_COLOURS[name],
                       alpha=0.12, label=label)
            if value is not None:
                ax.hlines(value, lo - 0.5, hi - 0.5, linestyles='--',
                          colors=GROUP_COLOURS[name], lw=1.5)
    if num <= DENSE_CLASSES:
        ax.bar(x, np.nan_to_num(acc[order]), width=0.8, color='#3f5f7f',
               label='per-class top-1')
    else:
        # Thousands of bars merge into noise: points, under a running mean.
        ax.plot(x, acc[order], '.', ms=2, alpha=0.25, color='#3f5f7f',
                label='per-class top-1')
    if num > 60:
        window = max(5, num // 40)
        ranked = acc[order]
        valid = ~np.isnan(ranked)
        kernel = np.ones(window)
        total = np.convolve(np.where(valid, ranked, 0), kernel, 'same')
        seen = np.convolve(valid.astype(float), kernel, 'same')
        with np.errstate(invalid='ignore', divide='ignore'):
            ax.plot(x, total / seen, color='black', lw=1.2,
                    label=f'running mean ({window} classes)')
    ax.set_xlim(-0.5, num - 0.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel('top-1 accuracy (%)')
    if num <= 40:
        ax.set_xticks(x)
        ax.set_xticklabels([str(classes[i])[:12] for i in order],
                           rotation=60, ha='right', fontsize=8)
        ax.set_xlabel('class (most training images first)')
    else:
        ax.set_xlabel('class rank by training images (most first)')
    if counts is not None:
        twin = ax.twinx()
        twin.plot(x, np.maximum(counts[order], 0.8), color='#e6550d',
                  lw=1.8, marker='o' if num <= 40 else None, ms=3,
                  label='training images')
        if counts.max() >= 20 * max(counts.min(), 1):
            twin.set_yscale('log')
        twin.set_ylabel('training images', color='#e6550d')
        twin.tick_params(axis='y', colors='#e6550d')
        handles = (ax.get_legend_handles_labels()[0] +
                   twin.get_legend_handles_labels()[0])
        labels = (ax.get_legend_handles_labels()[1] +
                  twin.get_legend_handles_labels()[1])
    else:
        handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc='upper center', fontsize=8, ncol=3,
              bbox_to_anchor=(0.5, -0.3 if num <= 40 else -0.13))
    if title is None:
        parts = [f'{k} {summary[k]:.1f}' for k in ('top1', 'class_avg')
                 if summary.get(k) is not None]
        title = 'Per-class top-1 accuracy' + (
            f' ({", ".join(parts)})' if parts else '')
    ax.set_title(title)
    return save_figure(fig, out_file)


def plot_reliability_diagram(result: dict,
                             out_file: str,
                             title: Optional[str] = None) -> str:
    """Reliability diagram: accuracy per confidence bin vs the diagonal.

    Top: each bin's accuracy (bars) and the gap to its mean confidence
    (red), with the diagonal of perfect calibration; bottom: how many
    predictions fall in each bin.

    Args:
        result (dict): A ``LongTailMetric`` per-class result (its
            ``reliability`` bins and ``summary['ece']``).
        out_file (str): The PNG to write.
        title (str, optional): Title; default names the ECE.

    Returns:
        str: ``out_file``.
    """
    plt = agg_pyplot()
    bins = result['reliability']
    count = np.asarray(bins['count'], np.int64)
    num = len(count)
    edges = np.asarray(bins.get('edges') or np.linspace(0, 1, num + 1))
    centres = (edges[:-1] + edges[1:]) / 2
    width = np.diff(edges)
    acc = np.nan_to_num(_as_float(bins['accuracy']))
    conf = _as_float(bins['confidence'])
    conf = np.where(np.isnan(conf), centres, conf)
    filled = count > 0

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.5, 6.5), sharex=True,
        gridspec_kw=dict(height_ratios=[3, 1], hspace=0.08))
    top.bar(centres[filled], acc[filled], width=width[filled],
            color='#3f5f7f', edgecolor='white', label='accuracy')
    top.bar(centres[filled], (conf - acc)[filled], bottom=acc[filled],
            width=width[filled], color='#d7301f', alpha=0.35,
            edgecolor='#d7301f', hatch='//', label='gap to confidence')
    top.plot([0, 1], [0, 1], '--', color='grey', label='perfect calibration')
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel('accuracy')
    top.legend(loc='upper left', fontsize=8)
    ece = result.get('summary', {}).get('ece')
    top.set_title(title or 'Reliability diagram' + (
        f' (ECE {ece:.2f}%, {num} bins)' if ece is not None else ''))
    bottom.bar(centres, count, width=width, color='#777777',
               edgecolor='white')
    bottom.set_xlabel('confidence (top-1 probability)')
    bottom.set_ylabel('predictions')
    return save_figure(fig, out_file)


def plot_class_distribution(counts: Sequence[int],
                            out_file: str,
                            classes: Optional[Sequence[str]] = None,
                            title: Optional[str] = None,
                            many_shot: int = 100,
                            few_shot: int = 20) -> str:
    """Images per class, sorted, with the many / few-shot thresholds.

    Args:
        counts (Sequence[int]): Images per class.
        out_file (str): The PNG to write.
        classes (Sequence[str], optional): Class names (shown for up to
            40 classes).
        title (str, optional): Title; default gives the totals and the
            imbalance factor.
        many_shot (int): Many-shot threshold (more than this).
        few_shot (int): Few-shot threshold (fewer than this).

    Returns:
        str: ``out_file``.
    """
    plt = agg_pyplot()
    counts = np.asarray(counts, np.int64)
    num = len(counts)
    order = np.argsort(-counts, kind='stable')
    ranked = counts[order]
    x = np.arange(num)
    fig, ax = plt.subplots(figsize=(min(16, 6 + num * 0.12), 4.5))
    colours = np.where(ranked > many_shot, GROUP_COLOURS['many'],
                       np.where(ranked < few_shot, GROUP_COLOURS['few'],
                                GROUP_COLOURS['medium']))
    ax.bar(x, ranked, width=0.8 if num < 200 else 1.0, color=colours)
    many = int(np.sum(ranked > many_shot))
    few = int(np.sum(ranked < few_shot))
    for name, size in (('many', many), ('medium', num - many - few),
                       ('few', few)):
        # Empty bars: legend entries in the group colours.
        ax.bar([0], [0], color=GROUP_COLOURS[name],
               label=f'{name}: {size} classes')
    ax.axhline(many_shot, color='black', ls='--', lw=0.8)
    ax.axhline(few_shot, color='black', ls=':', lw=0.8)
    smallest = max(int(ranked.min()) if num else 1, 1)
    if num and ranked.max() >= 20 * smallest:
        ax.set_yscale('log')
    ax.set_xlim(-0.5, num - 0.5)
    ax.set_ylabel('images')
    if num <= 40:
        names = classes if classes is not None else [str(i)
                                                     for i in range(num)]
        ax.set_xticks(x)
        ax.set_xticklabels([str(names[i])[:12] for i in order],
                           rotation=60, ha='right', fontsize=8)
        ax.set_xlabel('class (most images first)')
    else:
        ax.set_xlabel('class rank (most images first)')
    ax.legend(loc='upper right', fontsize=8, title=(
        f'>{many_shot} (dashed) / <{few_shot} (dotted) images'),
        title_fontsize=8)
    if title is None:
        factor = ranked.max() / smallest if num else 0
        title = (f'{int(counts.sum())} images, {num} classes, imbalance '
                 f'factor {factor:.0f}')
    ax.set_title(title)
    return save_figure(fig, out_file)


__all__ = [
    'GROUP_COLOURS', 'agg_pyplot', 'load_result', 'plot_class_distribution',
    'plot_per_class_accuracy', 'plot_reliability_diagram', 'save_figure'
]
