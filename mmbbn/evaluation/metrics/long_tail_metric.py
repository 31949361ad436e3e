"""Accuracy the long-tail way: by shot group, per class, and calibration."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmbbn.registry import METRICS

# Classes listed in the log at each end of the by-count order.
PER_CLASS_SHOWN = 50


def shot_groups(train_counts: np.ndarray, many_shot: int = 100,
                few_shot: int = 20) -> Dict[str, np.ndarray]:
    """Many / medium / few-shot class masks from training counts.

    Many: more than ``many_shot`` training images; few: fewer than
    ``few_shot``; medium: the rest (``few_shot .. many_shot``).

    Args:
        train_counts (np.ndarray): Training images per class.
        many_shot (int): Defaults to 100.
        few_shot (int): Defaults to 20.

    Returns:
        dict[str, np.ndarray]: Boolean masks ``many``, ``medium``, ``few``.
    """
    counts = np.asarray(train_counts)
    many = counts > many_shot
    few = counts < few_shot
    return dict(many=many, medium=~many & ~few, few=few)


def per_class_accuracy(labels: np.ndarray, preds: np.ndarray,
                       num_classes: int) -> np.ndarray:
    """Top-1 accuracy (%) of every class; NaN for classes not in ``labels``.

    Args:
        labels (np.ndarray): True classes.
        preds (np.ndarray): Predicted classes.
        num_classes (int): Number of classes.

    Returns:
        np.ndarray: float64 accuracies of shape (num_classes, ).
    """
    total = np.bincount(labels, minlength=num_classes)
    correct = np.bincount(
        labels, weights=(preds == labels), minlength=num_classes)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(total > 0, 100.0 * correct / total, np.nan)


def _bin_index(confidence: np.ndarray, bins: int) -> np.ndarray:
    """Bin of each confidence: bin b holds ``(b / bins, (b + 1) / bins]``.

    The edges are ``np.linspace(0, 1, bins + 1)`` (the usual ECE
    implementation), so a confidence equal to an edge falls in the bin
    that ends there; 0 falls in the first bin.
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.searchsorted(edges, confidence, side='left') - 1
    return np.clip(index, 0, bins - 1)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray,
                               bins: int = 15) -> float:
    """ECE (%) over ``bins`` equal-width confidence bins.

    ``sum_b |acc_b - conf_b| * n_b / N``; bin b holds confidences in
    ``(b / bins, (b + 1) / bins]``.

    Args:
        confidence (np.ndarray): Top-1 probability of each prediction.
        correct (np.ndarray): Whether each prediction is right.
        bins (int): Number of bins. Defaults to 15.

    Returns:
        float: The expected calibration error in percent (NaN without
        predictions).
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if not len(confidence):
        return float('nan')
    index = _bin_index(confidence, bins)
    conf_sum = np.bincount(index, weights=confidence, minlength=bins)
    acc_sum = np.bincount(index, weights=correct, minlength=bins)
    return float(100.0 * np.abs(acc_sum - conf_sum).sum() / len(confidence))


def reliability_bins(confidence: np.ndarray, correct: np.ndarray,
                     bins: int = 15) -> dict:
    """Per-bin counts, mean confidence and accuracy (for diagrams).

    Args:
        confidence (np.ndarray): Top-1 probability of each prediction.
        correct (np.ndarray): Whether each prediction is right.
        bins (int): Number of bins.

    Returns:
        dict: ``edges`` (bins + 1), and per bin ``count``, mean
        ``confidence`` and ``accuracy`` (fractions; None for empty bins).
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    index = _bin_index(confidence, bins)
    n = np.bincount(index, minlength=bins)
    with np.errstate(invalid='ignore', divide='ignore'):
        conf = np.bincount(index, weights=confidence, minlength=bins) / n
        acc = np.bincount(index, weights=correct, minlength=bins) / n
    return dict(
        edges=np.linspace(0.0, 1.0, bins + 1).tolist(),
        count=n.tolist(),
        confidence=_none_for_nan(conf),
        accuracy=_none_for_nan(acc))


def _none_for_nan(values) -> list:
    """Floats for JSON, with None where a value is NaN."""
    return [None if v != v else float(v) for v in np.asarray(values,
                                                             np.float64)]


def json_safe(value):
    """A copy of ``value`` that ``json.dump`` writes as strict JSON.

    NaN and infinities become None, NumPy scalars and arrays plain
    Python values.
    """
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@METRICS.register_module()
class LongTailMetric(BaseMetric):
    """Top-k, class-averaged, many/medium/few-shot, per-class accuracy, ECE.

    Group accuracies are means of per-class accuracies (classes without
    test images are skipped). The training counts come from the training
    set of the same config through :class:`LongTailMetricHook` (or
    ``train_class_counts``); without them the groups are left out. Every
    evaluation logs one compact table; with ``out_file`` set (the hook sets
    it in the work dir) the full per-class result is written as JSON.

    Results (with the ``lt`` prefix): ``top1``, ``top5``, ``class_avg``,
    ``many``, ``medium``, ``few``, ``ece``, all in percent.

    Args:
        topk (Sequence[int]): Top-k accuracies. Defaults to (1, 5).
        many_shot (int): More training images than this: many-shot.
            Defaults to 100.
        few_shot (int): Fewer than this: few-shot. Defaults to 20.
        ece_bins (int): Bins of the calibration error. Defaults to 15.
        train_class_counts (Sequence[int], optional): Training images per
            class; set by :class:`LongTailMetricHook` when None.
        collect_device (str): Where results are gathered. Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``'lt'``.
    """

    default_prefix = 'lt'

    def __init__(self,
                 topk: Sequence[int] = (1, 5),
                 many_shot: int = 100,
                 few_shot: int = 20,
                 ece_bins: int = 15,
                 train_class_counts: Optional[Sequence[int]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        topk = tuple(topk)
        if not topk or any(not isinstance(k, int) or k < 1 for k in topk):
            raise ValueError(f'LongTailMetric: topk={topk!r} must be '
                             'positive integers')
        if not 0 < few_shot <= many_shot:
            raise ValueError(
                f'LongTailMetric: few_shot={few_shot!r} and many_shot='
                f'{many_shot!r} need 0 < few_shot <= many_shot')
        if not (isinstance(ece_bins, int) and ece_bins > 0):
            raise ValueError(f'LongTailMetric: ece_bins={ece_bins!r} is not '
                             'a positive integer')
        self.topk = topk
        self.many_shot = many_shot
        self.few_shot = few_shot
        self.ece_bins = ece_bins
        self.train_class_counts = (None if train_class_counts is None else
                                   np.asarray(train_class_counts, np.int64))
        self.out_file: Optional[str] = None
        self.last_result: Optional[dict] = None

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep each prediction compactly: label, top-k, confidence."""
        if not data_samples:
            return
        scores = torch.stack([ds['pred_score'] for ds in data_samples])
        labels = torch.cat([ds['gt_label'] for ds in data_samples])
        kmax = min(max(self.topk), scores.size(1))
        conf, top = scores.float().topk(kmax, dim=1)
        for label, row, c in zip(labels.tolist(), top.tolist(),
                                 conf[:, 0].tolist()):
            self.results.append((label, row, c, scores.size(1)))

    def compute_metrics(self, results: List[tuple]) -> dict:
        """Compute every figure, log the table, write the JSON.

        Args:
            results (list[tuple]): ``(label, top-k classes, confidence,
                num_classes)`` of every test image.

        Returns:
            dict[str, float]: The summary figures.
        """
        if not results:
            raise ValueError('LongTailMetric: no predictions to evaluate '
                             '(is the test set empty?)')
        labels = np.array([r[0] for r in results], dtype=np.int64)
        kmax = min(len(r[1]) for r in results)
        top = np.array([r[1][:kmax] for r in results], dtype=np.int64)
        confidence = np.array([r[2] for r in results])
        num_classes = max(r[3] for r in results)
        classes = self.dataset_meta.get('classes') if self.dataset_meta \
            else None
        if classes is not None:
            num_classes = len(classes)
        bad = labels[(labels < 0) | (labels >= num_classes)]
        if len(bad):
            raise ValueError(f'LongTailMetric: gt_label={int(bad[0])} is '
                             f'outside the {num_classes} classes')
        preds = top[:, 0]
        correct = preds == labels

        summary = {}
        for k in self.topk:
            if k <= kmax:
                hits = (top[:, :k] == labels[:, None]).any(axis=1)
                summary[f'top{k}'] = float(100.0 * hits.mean())
        class_acc = per_class_accuracy(labels, preds, num_classes)
        summary['class_avg'] = float(np.nanmean(class_acc))
        groups = {}
        counts = self.train_class_counts
        if counts is not None and len(counts) != num_classes:
            MMLogger.get_current_instance().warning(
                f'LongTailMetric: {len(counts)} training counts for '
                f'{num_classes} classes; many/medium/few left out')
            counts = None
        if counts is not None:
            for name, mask in shot_groups(counts, self.many_shot,
                                          self.few_shot).items():
                tested = mask & ~np.isnan(class_acc)
                groups[name] = int(tested.sum())
                summary[name] = (float(np.mean(class_acc[tested]))
                                 if tested.any() else float('nan'))
        summary['ece'] = expected_calibration_error(confidence, correct,
                                                    self.ece_bins)
        self.last_result = json_safe(dict(
            summary=summary,
            group_sizes=groups,
            many_shot=self.many_shot,
            few_shot=self.few_shot,
            ece_bins=self.ece_bins,
            num_test_images=int(len(labels)),
            classes=list(classes) if classes is not None else None,
            train_class_counts=counts,
            test_class_counts=np.bincount(labels, minlength=num_classes),
            per_class_accuracy=class_acc,
            reliability=reliability_bins(confidence, correct,
                                         self.ece_bins)))
        self._log_table(summary, groups, class_acc, classes, counts)
        if self.out_file:
            write_result_json(self.out_file, self.last_result)
        return summary

    def _log_table(self, summary: dict, groups: dict, class_acc: np.ndarray,
                   classes: Optional[Sequence[str]],
                   counts: Optional[np.ndarray]) -> None:
        """Log the summary table and the per-class accuracies."""
        labels = {
            name: f'{name} ({groups[name]} cls)'
            for name in ('many', 'medium', 'few') if name in groups
        }
        header = [labels.get(k, k) for k in summary]
        values = ['n/a' if v != v else f'{v:.2f}' for v in summary.values()]
        widths = [max(len(h), len(v)) for h, v in zip(header, values)]
        rule = '+' + '+'.join('-' * (w + 2) for w in widths) + '+'

        def row(cells):
            return '| ' + ' | '.join(
                c.ljust(w) for c, w in zip(cells, widths)) + ' |'

        tested = int(np.sum(~np.isnan(class_acc)))
        title = (f'Long-tail accuracy (%) of {len(class_acc)} classes '
                 f'({tested} with test images)')
        if groups:
            title += (f'; many: >{self.many_shot}, medium: '
                      f'{self.few_shot}..{self.many_shot}, few: '
                      f'<{self.few_shot} training images')
        lines = [title, rule, row(header), rule, row(values), rule]

        def rows(indices) -> List[str]:
            cells = []
            for i in indices:
                name = str(classes[i]) if classes is not None else str(i)
                acc = ('n/a' if np.isnan(class_acc[i]) else
                       f'{class_acc[i]:.1f}')
                n = f' n={counts[i]}' if counts is not None else ''
                cells.append(f'{name[:14]}{n}: {acc}')
            return ['  ' + '  '.join(cells[j:j + 5])
                    for j in range(0, len(cells), 5)]

        order = (np.argsort(-counts, kind='stable')
                 if counts is not None else np.arange(len(class_acc)))
        lines.append('Per-class top-1 (%), by training count:'
                     if counts is not None else 'Per-class top-1 (%):')
        if len(order) > 2 * PER_CLASS_SHOWN:
            lines += rows(order[:PER_CLASS_SHOWN])
            lines.append(f'  ... {len(order) - 2 * PER_CLASS_SHOWN} classes '
                         'in between (all in the per-class JSON)')
            lines += rows(order[-PER_CLASS_SHOWN:])
        else:
            lines += rows(order)
        MMLogger.get_current_instance().info('\n'.join(lines))


def write_result_json(path: str, result: dict) -> None:
    """Write a per-class result: one top-level field per line.

    Args:
        path (str): The JSON file (folders are created).
        result (dict): A JSON-safe result (see :func:`json_safe`).
    """
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    body = ',\n'.join(f' {json.dumps(key)}: {json.dumps(value)}'
                      for key, value in result.items())
    with open(path, 'w') as f:
        f.write('{\n' + body + '\n}\n')


__all__ = [
    'LongTailMetric', 'expected_calibration_error', 'json_safe',
    'per_class_accuracy', 'reliability_bins', 'shot_groups',
    'write_result_json'
]
