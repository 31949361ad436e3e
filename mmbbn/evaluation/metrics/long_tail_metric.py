"""Accuracy the long-tail way: by shot group, per class, and calibration."""
import io
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from rich import box
from rich.console import Console
from rich.table import Table

from mmbbn.datasets.labels import class_counts
from mmbbn.registry import METRICS

# Classes listed in the log at each end of the by-count order.
PER_CLASS_SHOWN = 50


def shot_groups(train_counts: np.ndarray, many_shot: int = 100,
                few_shot: int = 20) -> Dict[str, np.ndarray]:
    """Class masks ``many`` (over ``many_shot`` training images), ``few``
    (under ``few_shot``) and ``medium`` (the rest)."""
    counts = np.asarray(train_counts)
    many, few = counts > many_shot, counts < few_shot
    return dict(many=many, medium=~many & ~few, few=few)


def per_class_accuracy(labels: np.ndarray, preds: np.ndarray,
                       num_classes: int) -> np.ndarray:
    """Top-1 accuracy (%) of each class; NaN for those not in ``labels``."""
    total = class_counts(labels, num_classes)
    correct = np.bincount(
        labels, weights=(preds == labels), minlength=num_classes)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(total > 0, 100.0 * correct / total, np.nan)


def _bin_sums(confidence: np.ndarray, correct: np.ndarray,
              bins: int) -> tuple:
    """Count, confidence and correct sums of the bins ``(b / bins, (b + 1)
    / bins]`` (the usual ECE edges; 0 falls in the first)."""
    confidence = np.asarray(confidence, np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence) - 1, 0, bins - 1)
    return tuple(
        np.bincount(index, weights=w, minlength=bins)
        for w in (None, confidence, np.asarray(correct, np.float64)))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray,
                               bins: int = 15) -> float:
    """ECE (%), ``sum_b |acc_b - conf_b| * n_b / N`` over equal-width bins;
    NaN without predictions."""
    if not len(confidence):
        return float('nan')
    _, conf, acc = _bin_sums(confidence, correct, bins)
    return float(100.0 * np.abs(acc - conf).sum() / len(confidence))


def reliability_bins(confidence: np.ndarray, correct: np.ndarray,
                     bins: int = 15) -> dict:
    """A reliability diagram: ``edges`` and, per bin, ``count``, mean
    ``confidence`` and ``accuracy`` (fractions; None for an empty bin)."""
    n, conf, acc = _bin_sums(confidence, correct, bins)
    with np.errstate(invalid='ignore', divide='ignore'):
        return dict(edges=np.linspace(0.0, 1.0, bins + 1).tolist(),
                    count=n.tolist(), confidence=json_safe(conf / n),
                    accuracy=json_safe(acc / n))


def json_safe(value):
    """A copy of ``value`` that ``json.dump`` writes as strict JSON (NaN
    and infinities as None, NumPy values as Python ones)."""
    if isinstance(value, (np.ndarray, np.generic)):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@METRICS.register_module()
class LongTailMetric(BaseMetric):
    """Top-k, class-averaged, many/medium/few-shot, per-class accuracy, ECE.

    Group accuracies are means of per-class accuracies (classes without
    test images skipped), from ``train_class_counts`` or else the counts
    :class:`ClassCountsHook` gives (without counts, no groups). Each
    evaluation logs a table and, when ``out_file`` is set (by
    :class:`LongTailMetricHook`), writes the per-class result as JSON.
    Results (%, prefix ``lt``): ``top{k}``, ``class_avg``, ``many``,
    ``medium``, ``few``, ``ece``.

    Args:
        topk (Sequence[int]): Top-k accuracies. Defaults to (1, 5).
        many_shot (int): More training images than this: many-shot.
            Defaults to 100.
        few_shot (int): Fewer than this: few-shot. Defaults to 20.
        ece_bins (int): Bins of the calibration error. Defaults to 15.
        train_class_counts (Sequence[int], optional): Training images per
            class. Defaults to None (set by :class:`ClassCountsHook`).
        collect_device (str): Where results are gathered. Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``'lt'``.
    """

    default_prefix = 'lt'

    def __init__(self, topk: Sequence[int] = (1, 5), many_shot: int = 100,
                 few_shot: int = 20, ece_bins: int = 15,
                 train_class_counts: Optional[Sequence[int]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)
        if not self.topk or any(not isinstance(k, int) or k < 1
                                for k in self.topk):
            raise ValueError(f'LongTailMetric: topk={self.topk!r} must be '
                             'positive integers')
        if not 0 < few_shot <= many_shot:
            raise ValueError(
                f'LongTailMetric: few_shot={few_shot!r} and many_shot='
                f'{many_shot!r} need 0 < few_shot <= many_shot')
        if not (isinstance(ece_bins, int) and ece_bins > 0):
            raise ValueError(f'LongTailMetric: ece_bins={ece_bins!r} is not '
                             'a positive integer')
        self.many_shot = many_shot
        self.few_shot = few_shot
        self.ece_bins = ece_bins
        self.train_class_counts = (None if train_class_counts is None else
                                   np.asarray(train_class_counts, np.int64))
        self.out_file: Optional[str] = None

    @property
    def needs_class_counts(self) -> bool:
        """Whether :class:`ClassCountsHook` should hand counts to it."""
        return self.train_class_counts is None

    def set_class_counts(self, counts: Sequence[int]) -> None:
        """Take the training counts, unless the config gave some."""
        if self.needs_class_counts:
            self.train_class_counts = np.asarray(counts, np.int64)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep label, top-k classes and confidence of each image, one
        entry per image (as collection across ranks needs) from per-item
        ``pred_score`` (C, ) or a :class:`BatchDataSample`'s (N, C)."""
        if not data_samples:
            return
        scores = torch.cat([s['pred_score'].reshape(
            -1, s['pred_score'].shape[-1]) for s in data_samples]).float()
        labels = torch.cat([s['gt_label'].reshape(-1) for s in data_samples])
        num_classes = scores.size(1)
        conf, top = scores.topk(min(max(self.topk), num_classes), dim=1)
        self.results.extend(
            (label, row, c, num_classes) for label, row, c in zip(
                labels.long().tolist(), top.tolist(), conf[:, 0].tolist()))

    @staticmethod
    def calculate(pred_topk: np.ndarray, confidence: np.ndarray,
                  target: np.ndarray, num_classes: int,
                  train_class_counts: Optional[np.ndarray] = None,
                  topk: Sequence[int] = (1, 5), many_shot: int = 100,
                  few_shot: int = 20, ece_bins: int = 15) -> dict:
        """Every figure of the metric from top-k predictions.

        Args:
            pred_topk (np.ndarray): (N, k) best classes of each image, best
                first (no top-k figure for a larger k).
            confidence (np.ndarray): (N, ) top-1 probability.
            target (np.ndarray): (N, ) true classes.
            num_classes (int): Number of classes.
            train_class_counts (np.ndarray, optional): Training images per
                class; without them no many/medium/few figures.
            topk, many_shot, few_shot, ece_bins: As for the metric.

        Returns:
            dict: ``summary`` (figure -> %, NaN where undefined),
            ``group_sizes``, ``per_class_accuracy``, ``test_class_counts``
            and ``reliability`` (:func:`reliability_bins`).
        """
        pred_topk = np.asarray(pred_topk, np.int64).reshape(len(target), -1)
        target = np.asarray(target, np.int64)
        bad = target[(target < 0) | (target >= num_classes)]
        if len(bad):
            raise ValueError(f'LongTailMetric: gt_label={int(bad[0])} is '
                             f'outside the {num_classes} classes')
        preds = pred_topk[:, 0]
        correct = preds == target
        summary = {
            f'top{k}': float(100.0 * (pred_topk[:, :k] == target[:, None])
                             .any(axis=1).mean())
            for k in topk if k <= pred_topk.shape[1]
        }
        class_acc = per_class_accuracy(target, preds, num_classes)
        summary['class_avg'] = float(np.nanmean(class_acc))
        groups = {}
        if train_class_counts is not None:
            masks = shot_groups(train_class_counts, many_shot, few_shot)
            for name, mask in masks.items():
                tested = mask & ~np.isnan(class_acc)
                groups[name] = int(tested.sum())
                summary[name] = (float(np.mean(class_acc[tested]))
                                 if tested.any() else float('nan'))
        summary['ece'] = expected_calibration_error(confidence, correct,
                                                    ece_bins)
        return dict(summary=summary, group_sizes=groups,
                    per_class_accuracy=class_acc,
                    test_class_counts=class_counts(target, num_classes),
                    reliability=reliability_bins(confidence, correct,
                                                 ece_bins))

    def compute_metrics(self, results: List[tuple]) -> dict:
        """The figures of ``(label, top-k, confidence, num_classes)``
        results; log the table, write the JSON."""
        if not results:
            raise ValueError('LongTailMetric: no predictions to evaluate '
                             '(is the test set empty?)')
        logger = MMLogger.get_current_instance()
        kmax = min(len(r[1]) for r in results)
        classes = (self.dataset_meta or {}).get('classes')
        num_classes = (len(classes) if classes is not None else
                       max(r[3] for r in results))
        counts = self.train_class_counts
        if counts is not None and len(counts) != num_classes:
            logger.warning(
                f'LongTailMetric: {len(counts)} training counts for '
                f'{num_classes} classes; many/medium/few left out')
            counts = None
        result = self.calculate(
            np.array([r[1][:kmax] for r in results], np.int64),
            np.array([r[2] for r in results]),
            np.array([r[0] for r in results], np.int64), num_classes,
            counts, self.topk, self.many_shot, self.few_shot, self.ece_bins)
        logger.info(self._table(result, classes, counts))
        if self.out_file:
            saved = json_safe(dict(
                summary=result['summary'], group_sizes=result['group_sizes'],
                many_shot=self.many_shot, few_shot=self.few_shot,
                ece_bins=self.ece_bins, num_test_images=len(results),
                classes=None if classes is None else list(classes),
                train_class_counts=counts,
                **{k: result[k] for k in ('test_class_counts',
                                          'per_class_accuracy',
                                          'reliability')}))
            # One top-level field per line.
            os.makedirs(osp.dirname(self.out_file) or '.', exist_ok=True)
            with open(self.out_file, 'w') as f:
                f.write('{\n' + ',\n'.join(
                    f' {json.dumps(k)}: {json.dumps(v)}'
                    for k, v in saved.items()) + '\n}\n')
        return result['summary']

    def _table(self, result: dict, classes: Optional[Sequence[str]],
               counts: Optional[np.ndarray]) -> str:
        """The summary table (rich, ASCII) and the per-class accuracies."""
        summary, groups = result['summary'], result['group_sizes']
        class_acc = result['per_class_accuracy']
        title = (f'Long-tail accuracy (%) of {len(class_acc)} classes '
                 f'({int(np.sum(~np.isnan(class_acc)))} with test images)')
        if groups:
            title += (f'; many: >{self.many_shot}, medium: '
                      f'{self.few_shot}..{self.many_shot}, few: '
                      f'<{self.few_shot} training images')
        table = Table(*(f'{k} ({groups[k]} cls)' if k in groups else k
                        for k in summary), box=box.ASCII)
        table.add_row(*('n/a' if v != v else f'{v:.2f}'
                        for v in summary.values()))
        console = Console(file=io.StringIO(), width=1000, color_system=None)
        console.print(table)
        lines = [title, console.file.getvalue().rstrip()]

        def cell(i: int) -> str:
            name = str(classes[i] if classes is not None else i)[:14]
            n = '' if counts is None else f' n={counts[i]}'
            acc = class_acc[i]
            return f'{name}{n}: ' + ('n/a' if acc != acc else f'{acc:.1f}')

        order = (np.arange(len(class_acc)) if counts is None else
                 np.argsort(-counts, kind='stable'))
        lines.append('Per-class top-1 (%)' + (
            ':' if counts is None else ', by training count:'))
        hidden = len(order) - 2 * PER_CLASS_SHOWN
        parts = ([order] if hidden <= 0 else
                 [order[:PER_CLASS_SHOWN], order[-PER_CLASS_SHOWN:]])
        for number, part in enumerate(parts):
            if number:
                lines.append(f'  ... {hidden} classes in between (all in '
                             'the per-class JSON)')
            cells = [cell(i) for i in part]
            lines += ['  ' + '  '.join(cells[j:j + 5])
                      for j in range(0, len(cells), 5)]
        return '\n'.join(lines)
