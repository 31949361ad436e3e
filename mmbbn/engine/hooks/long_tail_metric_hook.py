"""Hands the training-class counts and an output file to LongTailMetric."""
import json
import os
import os.path as osp
from typing import Iterator, List, Optional

import numpy as np
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.runner import IterBasedTrainLoop

from mmbbn.evaluation.metrics.long_tail_metric import json_safe
from mmbbn.registry import HOOKS
from .class_counts_hook import train_class_counts


def _metrics(evaluator) -> Iterator:
    for metric in getattr(evaluator, 'metrics', None) or []:
        if hasattr(metric, 'train_class_counts'):
            yield metric


@HOOKS.register_module()
class LongTailMetricHook(Hook):
    """Feeds :class:`LongTailMetric` and reports the best and last epoch.

    The counts are those of the training set of the same config, read from
    its labels (the built training set when the runner trains; otherwise the
    ``train_dataloader.dataset`` config is built, e.g. by ``tools/test.py``).
    A metric configured with explicit ``train_class_counts`` keeps them.
    Each evaluation's per-class result goes to
    ``{log_dir}/long_tail_{val_epoch_N|val_iter_N|test}.json``.

    At the end of training it logs the last and the best validation value
    of ``key`` (the official BBN code kept only the best epoch, measured on
    the test set; quote both) and writes every validation result to
    ``{log_dir}/best_last.json``. A resumed run counts the validations of
    the run it resumes (kept in ``{work_dir}/long_tail_history.json``).

    Args:
        json_dir (str, optional): Folder for the JSON files; defaults to the
            runner's log dir (the history: its work dir).
        key (str): The metric that ranks epochs. Defaults to ``'lt/top1'``.
    """

    priority = 'LOW'

    def __init__(self,
                 json_dir: Optional[str] = None,
                 key: str = 'lt/top1') -> None:
        self.json_dir = json_dir
        self.key = key
        self.history: List[dict] = []
        self._counts: Optional[np.ndarray] = None
        self._looked = False

    def _train_counts(self, runner) -> Optional[np.ndarray]:
        if self._looked:
            return self._counts
        self._looked = True
        try:
            self._counts = train_class_counts(runner)
        except Exception as e:  # the test split may be all a user has
            MMLogger.get_current_instance().warning(
                'LongTailMetricHook: no training counts, so no many/medium/'
                f'few accuracy ({type(e).__name__}: {e})')
        return self._counts

    def _prepare(self, runner, evaluator, tag: str) -> None:
        metrics = list(_metrics(evaluator))
        if not metrics:
            return
        if any(m.train_class_counts is None for m in metrics):
            counts = self._train_counts(runner)
            for metric in metrics:
                if metric.train_class_counts is None:
                    metric.train_class_counts = counts
        for metric in metrics:
            metric.out_file = osp.join(self.json_dir or runner.log_dir,
                                       f'long_tail_{tag}.json')

    @staticmethod
    def _by_iter(runner) -> bool:
        return isinstance(getattr(runner, '_train_loop', None),
                          IterBasedTrainLoop)

    def before_val_epoch(self, runner) -> None:
        """Prepare the validation metrics."""
        tag = (f'val_iter_{runner.iter}' if self._by_iter(runner) else
               f'val_epoch_{runner.epoch}')
        self._prepare(runner, runner.val_evaluator, tag)

    def before_test_epoch(self, runner) -> None:
        """Prepare the test metrics."""
        self._prepare(runner, runner.test_evaluator, 'test')

    def _history_file(self, runner) -> str:
        return osp.join(self.json_dir or runner.work_dir,
                        'long_tail_history.json')

    def before_train(self, runner) -> None:
        """On a resumed run, take back the validations made before it.

        They are read from ``long_tail_history.json`` in the work dir,
        which every validation rewrites; those after the resumed point are
        dropped (they will be run again).
        """
        path = self._history_file(runner)
        if runner.iter == 0 or not osp.exists(path):
            return
        try:
            with open(path) as f:
                saved = json.load(f)
        except (OSError, ValueError) as e:
            runner.logger.warning(f'LongTailMetricHook: {path} unreadable '
                                  f'({e}); best/last cover this run only')
            return
        unit = 'iter' if self._by_iter(runner) else 'epoch'
        done = runner.iter if unit == 'iter' else runner.epoch
        self.history = [h for h in saved
                        if h.get(unit, done + 1) <= done] + self.history

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        """Remember this validation's results (also in the work dir)."""
        if not metrics:
            return
        self.history.append(dict(epoch=runner.epoch, iter=runner.iter,
                                 **{k: float(v) for k, v in metrics.items()
                                    if isinstance(v, (int, float))}))
        if is_main_process() and getattr(runner, 'work_dir', None):
            path = self._history_file(runner)
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                json.dump(json_safe(self.history), f)

    def after_train(self, runner) -> None:
        """Log the last and the best validation result; write them."""
        scored = [h for h in self.history
                  if not np.isnan(h.get(self.key) or np.nan)]
        if not scored:
            return
        last = scored[-1]
        best = max(scored, key=lambda h: h[self.key])
        unit = 'iter' if self._by_iter(runner) else 'epoch'
        report = dict(key=self.key, last=last, best=best,
                      history=self.history)
        runner.logger.info(
            f'{self.key}: last {last[self.key]:.2f} ({unit} {last[unit]}'
            f'), best {best[self.key]:.2f} ({unit} {best[unit]})')
        if is_main_process():
            folder = self.json_dir or runner.log_dir
            os.makedirs(folder, exist_ok=True)
            with open(osp.join(folder, 'best_last.json'), 'w') as f:
                json.dump(json_safe(report), f, indent=1)


__all__ = ['LongTailMetricHook']
