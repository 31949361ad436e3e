"""Per-run records of LongTailMetric: per-class JSON, best and last."""
import json
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook, Hook, LoggerHook
from mmengine.runner import IterBasedTrainLoop

from mmbbn.evaluation.metrics.long_tail_metric import json_safe
from mmbbn.registry import HOOKS
from .class_counts_hook import ClassCountsHook

# The runs a training continues, in the message hub's runtime info (which
# MMEngine saves in every checkpoint and restores on resume).
RUNS_KEY = 'long_tail_runs'


def scalars_file(log_dir: str) -> str:
    """Where MMEngine's ``LocalVisBackend`` writes a run's scalar log."""
    return osp.join(log_dir, 'vis_data', 'scalars.json')


def read_scalars(path: str) -> List[dict]:
    """The records of an MMEngine scalar log (JSON lines, NaN allowed)."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                records += [json.loads(line)] if line.strip() else []
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}:{number}: not a JSON record '
                                 f'({e.msg})') from None
    return records


def merge_runs(runs: Sequence[Tuple[int, List[dict]]],
               key: str = 'step') -> List[dict]:
    """One history from ``(begin, records)`` of each run, oldest first: a
    run's records after the next run's ``begin`` (in ``key``) are left
    out."""
    ends = [begin for begin, _ in runs[1:]] + [None]
    return [r for (_, records), end in zip(runs, ends) for r in records
            if end is None or r[key] <= end]


def best_and_last(history: Sequence[dict], key: str, rule: str = 'greater',
                  best_score: Optional[float] = None
                  ) -> Tuple[Optional[dict], Optional[dict]]:
    """The best and the last scored record of ``history`` (None, None if
    none): the best is the first with ``best_score`` if given (None if
    none has it), else the first best by ``rule`` (``'greater'``,
    ``'less'``)."""
    scored = [h for h in history
              if h.get(key) is not None and h[key] == h[key]]
    if not scored:
        return None, None
    if best_score is None:
        pick = max if rule == 'greater' else min
        best_score = pick(h[key] for h in scored)
    return next((h for h in scored if h[key] == best_score), None), scored[-1]


def _hook(runner, kind):
    return next((h for h in getattr(runner, 'hooks', None) or []
                 if isinstance(h, kind)), None)


@HOOKS.register_module()
class LongTailMetricHook(Hook):
    """Names each evaluation's per-class JSON; reports the best and last.

    :class:`LongTailMetric` writes each result to the run's
    ``long_tail_{val_epoch_N|val_iter_N|test}.json``. After training the
    last and best validation of ``key`` are logged and written, with every
    validation, to ``best_last.json`` (the official BBN code kept only the
    best test epoch: quote both). No state is kept: validations come from
    the ``LocalVisBackend`` scalar logs of every run the training continues
    (listed in the message hub's runtime info, saved in checkpoints), the
    best from ``CheckpointHook(save_best=key)``.

    Args:
        key (str): The metric that ranks validations. Defaults to
            ``'lt/top1'``.
    """

    priority = 'LOW'

    def __init__(self, key: str = 'lt/top1') -> None:
        self.key = key
        self._warned = False

    @staticmethod
    def _unit(runner) -> str:
        """What the validations' ``step`` counts (LoggerHook decides)."""
        logger = _hook(runner, LoggerHook)
        if logger is not None and not logger.log_metric_by_epoch:
            return 'iter'
        loop = getattr(runner, '_train_loop', None)
        return 'iter' if isinstance(loop, IterBasedTrainLoop) else 'epoch'

    def _prepare(self, runner, evaluator, tag: str) -> None:
        """Name the metrics' JSON; warn once if no hook gives counts."""
        metrics = [m for m in getattr(evaluator, 'metrics', None) or []
                   if hasattr(m, 'out_file')]
        for metric in metrics:
            metric.out_file = osp.join(runner.log_dir,
                                       f'long_tail_{tag}.json')
        if (not self._warned and _hook(runner, ClassCountsHook) is None
                and any(getattr(m, 'needs_class_counts', False)
                        for m in metrics)):
            self._warned = True
            runner.logger.warning(
                'LongTailMetricHook: no ClassCountsHook, so LongTailMetric '
                'has no training counts and no many/medium/few accuracy '
                "(add default_hooks.class_counts=dict(type='ClassCountsHook'"
                '))')

    def before_val_epoch(self, runner) -> None:
        """Name the validation's per-class JSON."""
        unit = self._unit(runner)
        self._prepare(runner, runner.val_evaluator,
                      f'val_{unit}_{getattr(runner, unit)}')

    def before_test_epoch(self, runner) -> None:
        """Name the test's per-class JSON."""
        self._prepare(runner, runner.test_evaluator, 'test')

    def before_train(self, runner) -> None:
        """Add this run to the runs the training continues."""
        begin = getattr(runner, self._unit(runner))
        runs = [r for r in runner.message_hub.get_info(RUNS_KEY) or []
                if r['begin'] < begin]
        runner.message_hub.update_info(
            RUNS_KEY, runs + [dict(log_dir=runner.log_dir, begin=begin)])

    def history(self, runner) -> Tuple[List[dict], List[dict]]:
        """The training's validations (results only, ``step`` named after
        the unit) and the runs whose scalar logs they came from."""
        unit = self._unit(runner)
        runs = runner.message_hub.get_info(RUNS_KEY) or [
            dict(log_dir=runner.log_dir, begin=0)]
        found = []
        for run in runs:
            path = scalars_file(run['log_dir'])
            if not osp.isfile(path):
                runner.logger.warning(
                    f'LongTailMetricHook: no {path} (LocalVisBackend) of the '
                    f'run from {unit} {run["begin"]}; best and last leave '
                    'its validations out')
                continue
            found.append((dict(run), [
                dict({k: v for k, v in r.items()
                      if k not in ('step', 'time', 'data_time')},
                     **{unit: r.get('step')})
                for r in read_scalars(path) if self.key in r]))
        history = merge_runs([(run['begin'], records)
                              for run, records in found], key=unit)
        return history, [run for run, _ in found]

    def after_train(self, runner) -> None:
        """Log the last and the best validation result; write them."""
        if not is_main_process():
            return
        history, runs = self.history(runner)
        rule, best_score, best_ckpt = 'greater', None, None
        ckpt = _hook(runner, CheckpointHook)
        keys = list(getattr(ckpt, 'key_indicators', None) or [])
        if self.key in keys:
            suffix = '' if len(keys) == 1 else f'_{self.key}'
            rule = ckpt.rules[keys.index(self.key)]
            best_score = runner.message_hub.get_info(f'best_score{suffix}')
            best_ckpt = runner.message_hub.get_info(f'best_ckpt{suffix}')
        best, last = best_and_last(history, self.key, rule, best_score)
        if last is None:
            return
        unit = self._unit(runner)
        if best is None:  # CheckpointHook's best is not in the logs found
            best = {self.key: best_score, unit: None}
        runner.logger.info(
            f'{self.key}: last {last[self.key]:.2f} ({unit} {last[unit]}), '
            f'best {best[self.key]:.2f} ({unit} {best[unit]})' +
            (f' over {len(runs)} runs' if len(runs) > 1 else ''))
        report = dict(key=self.key, rule=rule, unit=unit, runs=runs,
                      last=last, best=best, best_checkpoint=best_ckpt,
                      history=history)
        with open(osp.join(runner.log_dir, 'best_last.json'), 'w') as f:
            json.dump(json_safe(report), f, indent=1)
