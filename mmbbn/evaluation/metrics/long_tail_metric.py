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
        float: The expected calibration error in percent.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if not len(confidence):
        return float('nan')
    index = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0,
                    bins - 1)
    n = np.bincount(index, minlength=bins)
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
        dict: ``count``, ``confidence``, ``accuracy`` lists (NaN if empty).
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    index = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0,
                    bins - 1)
    n = np.bincount(index, minlength=bins)
    with np.errstate(invalid='ignore', divide='ignore'):
        conf = np.bincount(index, weights=confidence, minlength=bins) / n
        acc = np.bincount(index, weights=correct, minlength=bins) / n
    return dict(count=n.tolist(), confidence=conf.tolist(),
                accuracy=acc.tolist())


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
        labels = np.array([r[0] for r in results], dtype=np.int64)
        kmax = min(len(r[1]) for r in results)
        top = np.array([r[1][:kmax] for r in results], dtype=np.int64)
        confidence = np.array([r[2] for r in results])
        num_classes = max(r[3] for r in results)
        classes = self.dataset_meta.get('classes') if self.dataset_meta \
            else None
        if classes is not None:
            num_classes = len(classes)
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
        if counts is not None and len(counts) == num_classes:
            for name, mask in shot_groups(counts, self.many_shot,
                                          self.few_shot).items():
                tested = mask & ~np.isnan(class_acc)
                groups[name] = int(tested.sum())
                summary[name] = (float(np.mean(class_acc[tested]))
                                 if tested.any() else float('nan'))
        elif counts is not None:
            MMLogger.get_current_instance().warning(
                f'LongTailMetric: {len(counts)} training counts for '
                f'{num_classes} classes; many/medium/few left out')
        summary['ece'] = expected_calibration_error(confidence, correct,
                                                    self.ece_bins)
        self.last_result = dict(
            summary=summary,
            group_sizes=groups,
            num_test_images=int(len(labels)),
            classes=list(classes) if classes is not None else None,
            train_class_counts=(counts.tolist()
                                if counts is not None else None),
            test_class_counts=np.bincount(
                labels, minlength=num_classes).tolist(),
            per_class_accuracy=[None if np.isnan(a) else float(a)
                                for a in class_acc],
            reliability=reliability_bins(confidence, correct,
                                         self.ece_bins))
        self._log_table(summary, groups, class_acc, classes, counts)
        if self.out_file:
            os.makedirs(osp.dirname(self.out_file) or '.', exist_ok=True)
            with open(self.out_file, 'w') as f:
                json.dump(self.last_result, f, indent=1)
        return summary

    def _log_table(self, summary: dict, groups: dict, class_acc: np.ndarray,
                   classes, counts) -> None:
        logger = MMLogger.get_current_instance()
        head = '  '.join(f'{k} {v:.2f}' for k, v in summary.items())
        sizes = ''
        if groups:
            sizes = ' (classes: ' + ', '.join(
                f'{k} {v}' for k, v in groups.items()) + ')'
        order = (np.argsort(-counts, kind='stable')
                 if counts is not None and len(counts) == len(class_acc)
                 else np.arange(len(class_acc)))
        cells = []
        for i in order[:100]:
            name = str(classes[i]) if classes is not None else str(i)
            acc = 'n/a' if np.isnan(class_acc[i]) else f'{class_acc[i]:.1f}'
            n = f' n={counts[i]}' if counts is not None and len(
                counts) == len(class_acc) else ''
            cells.append(f'{name[:14]}{n}: {acc}')
        rows = ['  '.join(cells[j:j + 5]) for j in range(0, len(cells), 5)]
        more = (f'\n  ... {len(class_acc) - 100} more classes in the JSON'
                if len(class_acc) > 100 else '')
        logger.info('Long-tail accuracy (%): ' + head + sizes +
                    '\nPer-class top-1 (%), by training count:\n  ' +
                    '\n  '.join(rows) + more)


__all__ = [
    'LongTailMetric', 'expected_calibration_error', 'per_class_accuracy',
    'reliability_bins', 'shot_groups'
]
