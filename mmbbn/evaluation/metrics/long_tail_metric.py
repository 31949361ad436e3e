"""Accuracy the long-tail way: by shot group, per class, and calibration."""
import io
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

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
    total = class_counts(labels, num_classes)
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
        confidence=json_safe(conf),
        accuracy=json_safe(acc))


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


def scores_and_labels(
        data_samples: Sequence[dict]) -> Tuple[torch.Tensor, torch.Tensor]:
    """The scores (N, C) and labels (N, ) of a batch of data samples.

    The one place where the metric's input is read: a data sample holds
    one prediction (``pred_score`` (C, ), ``gt_label`` (1, ), as
    MMPretrain's heads give) or a batch of them (``pred_score`` (B, C),
    ``gt_label`` (B, )); both are reduced to the same two tensors.

    Args:
        data_samples (Sequence[dict]): The model's outputs as dicts.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: Scores and int64 labels.
    """
    scores, labels = [], []
    for sample in data_samples:
        score = sample['pred_score']
        scores.append(score.reshape(-1, score.shape[-1]))
        labels.append(sample['gt_label'].reshape(-1))
    return torch.cat(scores), torch.cat(labels).long()


@METRICS.register_module()
class LongTailMetric(BaseMetric):
    """Top-k, class-averaged, many/medium/few-shot, per-class accuracy, ECE.

    Group accuracies are means of per-class accuracies (classes without
    test images are skipped). The training counts come from the training
    set of the same config through :class:`ClassCountsHook`, which calls
    :meth:`set_class_counts` as it does for the losses; counts given as
    ``train_class_counts`` win. Without counts the groups are left out.
    Every evaluation logs one table; with ``out_file`` set
    (:class:`LongTailMetricHook` sets it in the run's log dir) the full
    per-class result is written as JSON.

    Results (with the ``lt`` prefix): ``top1``, ``top5``, ``class_avg``,
    ``many``, ``medium``, ``few``, ``ece``, all in percent.

    Args:
        topk (Sequence[int]): Top-k accuracies. Defaults to (1, 5).
        many_shot (int): More training images than this: many-shot.
            Defaults to 100.
        few_shot (int): Fewer than this: few-shot. Defaults to 20.
        ece_bins (int): Bins of the calibration error. Defaults to 15.
        train_class_counts (Sequence[int], optional): Training images per
            class; when None, :class:`ClassCountsHook` sets them.
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

    @property
    def needs_class_counts(self) -> bool:
        """Whether :class:`ClassCountsHook` should hand counts to it."""
        return self.train_class_counts is None

    def set_class_counts(self, counts: Sequence[int]) -> None:
        """Take the training-class counts (from :class:`ClassCountsHook`).

        Counts given in the config are kept.

        Args:
            counts (Sequence[int]): Training images per class.
        """
        if self.needs_class_counts:
            self.train_class_counts = np.asarray(counts, np.int64)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep each prediction compactly: label, top-k, confidence.

        One entry per image (MMEngine's result collection across ranks
        relies on it), also when a data sample holds a batch.
        """
        if not data_samples:
            return
        scores, labels = scores_and_labels(data_samples)
        num_classes = scores.size(1)
        kmax = min(max(self.topk), num_classes)
        conf, top = scores.float().topk(kmax, dim=1)
        self.results.extend(
            (label, row, c, num_classes) for label, row, c in zip(
                labels.tolist(), top.tolist(), conf[:, 0].tolist()))

    @staticmethod
    def calculate(pred_topk: np.ndarray,
                  confidence: np.ndarray,
                  target: np.ndarray,
                  num_classes: int,
                  train_class_counts: Optional[np.ndarray] = None,
                  topk: Sequence[int] = (1, 5),
                  many_shot: int = 100,
                  few_shot: int = 20,
                  ece_bins: int = 15) -> dict:
        """Every figure of the metric from top-k predictions.

        Args:
            pred_topk (np.ndarray): (N, k) classes of the k best scores
                of each image, best first (k may be smaller than
                ``max(topk)``: larger top-k are then left out).
            confidence (np.ndarray): (N, ) top-1 probability.
            target (np.ndarray): (N, ) true classes.
            num_classes (int): Number of classes.
            train_class_counts (np.ndarray, optional): Training images per
                class; without them no many/medium/few figures.
            topk (Sequence[int]): The top-k accuracies.
            many_shot (int): More training images than this: many-shot.
            few_shot (int): Fewer than this: few-shot.
            ece_bins (int): Bins of the calibration error.

        Returns:
            dict: ``summary`` (figure -> %, NaN where undefined),
            ``group_sizes``, ``per_class_accuracy``, ``test_class_counts``
            and ``reliability`` (see :func:`reliability_bins`).
        """
        pred_topk = np.asarray(pred_topk, np.int64).reshape(len(target), -1)
        target = np.asarray(target, np.int64)
        bad = target[(target < 0) | (target >= num_classes)]
        if len(bad):
            raise ValueError(f'LongTailMetric: gt_label={int(bad[0])} is '
                             f'outside the {num_classes} classes')
        preds = pred_topk[:, 0]
        correct = preds == target
        summary = {}
        for k in topk:
            if k <= pred_topk.shape[1]:
                hits = (pred_topk[:, :k] == target[:, None]).any(axis=1)
                summary[f'top{k}'] = float(100.0 * hits.mean())
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
        return dict(
            summary=summary,
            group_sizes=groups,
            per_class_accuracy=class_acc,
            test_class_counts=class_counts(target, num_classes),
            reliability=reliability_bins(confidence, correct, ece_bins))

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
        kmax = min(len(r[1]) for r in results)
        classes = (self.dataset_meta or {}).get('classes')
        num_classes = (len(classes) if classes is not None else
                       max(r[3] for r in results))
        counts = self.train_class_counts
        if counts is not None and len(counts) != num_classes:
            MMLogger.get_current_instance().warning(
                f'LongTailMetric: {len(counts)} training counts for '
                f'{num_classes} classes; many/medium/few left out')
            counts = None
        result = self.calculate(
            pred_topk=np.array([r[1][:kmax] for r in results], np.int64),
            confidence=np.array([r[2] for r in results]),
            target=np.array([r[0] for r in results], np.int64),
            num_classes=num_classes,
            train_class_counts=counts,
            topk=self.topk,
            many_shot=self.many_shot,
            few_shot=self.few_shot,
            ece_bins=self.ece_bins)
        self.last_result = json_safe(dict(
            summary=result['summary'],
            group_sizes=result['group_sizes'],
            many_shot=self.many_shot,
            few_shot=self.few_shot,
            ece_bins=self.ece_bins,
            num_test_images=len(results),
            classes=list(classes) if classes is not None else None,
            train_class_counts=counts,
            test_class_counts=result['test_class_counts'],
            per_class_accuracy=result['per_class_accuracy'],
            reliability=result['reliability']))
        MMLogger.get_current_instance().info(
            self._table(result, classes, counts))
        if self.out_file:
            write_result_json(self.out_file, self.last_result)
        return result['summary']

    def _table(self, result: dict, classes: Optional[Sequence[str]],
               counts: Optional[np.ndarray]) -> str:
        """The summary table (rich, ASCII) and the per-class accuracies."""
        summary, groups = result['summary'], result['group_sizes']
        class_acc = result['per_class_accuracy']
        tested = int(np.sum(~np.isnan(class_acc)))
        title = (f'Long-tail accuracy (%) of {len(class_acc)} classes '
                 f'({tested} with test images)')
        if groups:
            title += (f'; many: >{self.many_shot}, medium: '
                      f'{self.few_shot}..{self.many_shot}, few: '
                      f'<{self.few_shot} training images')
        table = Table(box=box.ASCII)
        for name in summary:
            table.add_column(f'{name} ({groups[name]} cls)'
                             if name in groups else name)
        table.add_row(*('n/a' if v != v else f'{v:.2f}'
                        for v in summary.values()))
        console = Console(file=io.StringIO(), width=1000, color_system=None)
        console.print(table)
        lines = [title, console.file.getvalue().rstrip()]

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
        return '\n'.join(lines)


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
    'per_class_accuracy', 'reliability_bins', 'scores_and_labels',
    'shot_groups', 'write_result_json'
]
