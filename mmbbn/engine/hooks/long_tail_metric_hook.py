"""Per-run records of LongTailMetric: per-class JSON, best and last."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook, Hook, LoggerHook
from mmengine.runner import IterBasedTrainLoop

from mmbbn.evaluation.metrics.long_tail_metric import json_safe
from mmbbn.registry import HOOKS
from .class_counts_hook import ClassCountsHook

# The runs a training continues, in the message hub's runtime info (which
# MMEngine saves in every checkpoint and restores on resume).
RUNS_KEY = 'long_tail_runs'
# Fields of MMEngine's validation records that are not results.
_NOT_RESULTS = ('step', 'time', 'data_time')


def scalars_file(log_dir: str) -> str:
    """Where MMEngine's ``LocalVisBackend`` writes a run's scalar log."""
    return osp.join(log_dir, 'vis_data', 'scalars.json')


def read_scalars(path: str) -> List[dict]:
    """The records of an MMEngine scalar log (JSON lines, NaN allowed).

    Args:
        path (str): A ``vis_data/scalars.json``.

    Returns:
        list[dict]: The records, in file order.
    """
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f'{path}:{number}: not a JSON record '
                                     f'({e.msg})') from None
    return records


def validations(records: Sequence[dict], key: str) -> List[dict]:
    """The validation records (those holding ``key``), results only."""
    return [dict({k: v for k, v in r.items() if k not in _NOT_RESULTS},
                 step=r.get('step')) for r in records if key in r]


def merge_runs(runs: Sequence[Tuple[int, List[dict]]],
               key: str = 'step') -> List[dict]:
    """One history from the records of a run and the runs it resumes.

    Args:
        runs (Sequence[tuple[int, list[dict]]]): Oldest first, each run's
            start (the epoch or iteration it resumed from) and its
            records.
        key (str): The field of a record that says where in training it
            lies, in the unit of the starts. Defaults to ``'step'``.

    Returns:
        list[dict]: The records, those a later run made again (after the
        point it resumed from) replaced by the later run's.
    """
    history = []
    for i, (_, records) in enumerate(runs):
        end = runs[i + 1][0] if i + 1 < len(runs) else None
        history += [r for r in records if end is None or r[key] <= end]
    return history


def best_and_last(history: Sequence[dict], key: str, rule: str = 'greater',
                  best_score: Optional[float] = None
                  ) -> Tuple[Optional[dict], Optional[dict]]:
    """The best and the last validation of a history.

    Args:
        history (Sequence[dict]): Validation records, in order.
        key (str): The metric that ranks them.
        rule (str): ``'greater'`` or ``'less'`` is better.
        best_score (float, optional): The best score as MMEngine's
            ``CheckpointHook`` kept it; the best record is the first that
            has it (the hook keeps the first of equal scores too).

    Returns:
        tuple[dict | None, dict | None]: Best and last (None if none
        scored).
    """
    scored = [h for h in history
              if h.get(key) is not None and h[key] == h[key]]
    if not scored:
        return None, None
    if best_score is not None:
        same = [h for h in scored if h[key] == best_score]
        best = same[0] if same else None
    else:
        pick = max if rule == 'greater' else min
        target = pick(h[key] for h in scored)
        best = next(h for h in scored if h[key] == target)
    return best, scored[-1]


def _hook(runner, kind):
    return next((h for h in getattr(runner, 'hooks', []) or []
                 if isinstance(h, kind)), None)


@HOOKS.register_module()
class LongTailMetricHook(Hook):
    """Names each evaluation's per-class JSON; reports the best and last.

    Each evaluation of :class:`LongTailMetric` writes its per-class result
    to ``{log_dir}/long_tail_{val_epoch_N|val_iter_N|test}.json``, in the
    run's own timestamped log dir, so no run replaces another's records.
    (The metric's training counts come from :class:`ClassCountsHook`.)

    At the end of training it logs the last and the best validation value
    of ``key`` and writes them, with every validation, to
    ``{log_dir}/best_last.json`` (the official BBN code kept only the
    best epoch, measured on the test set: quote both). It keeps no state
    of its own: the validations are those in MMEngine's scalar log
    (``vis_data/scalars.json`` of ``LocalVisBackend``), the best score
    and checkpoint those of ``CheckpointHook(save_best=key)`` when it
    ranks by the same key. A resumed run reports over the whole training:
    each run adds its log dir to the message hub's runtime info, which
    MMEngine saves in the checkpoints and restores on ``resume``, and the
    report reads the scalar logs of every run it continues (the
    validations a run made after the point the next one resumed from
    are replaced by the next run's).

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
        tag = (f'val_iter_{runner.iter}' if self._unit(runner) == 'iter' else
               f'val_epoch_{runner.epoch}')
        self._prepare(runner, runner.val_evaluator, tag)

    def before_test_epoch(self, runner) -> None:
        """Name the test's per-class JSON."""
        self._prepare(runner, runner.test_evaluator, 'test')

    def before_train(self, runner) -> None:
        """Add this run to the runs the training continues."""
        runs = list(runner.message_hub.get_info(RUNS_KEY) or [])
        begin = runner.iter if self._unit(runner) == 'iter' else runner.epoch
        runs = [r for r in runs if r['begin'] < begin]
        runs.append(dict(log_dir=runner.log_dir, begin=begin))
        runner.message_hub.update_info(RUNS_KEY, runs)

    def _best_score(self, runner) -> Tuple[str, Optional[float],
                                           Optional[str]]:
        """Rule, best score and checkpoint of CheckpointHook for ``key``."""
        hook = _hook(runner, CheckpointHook)
        keys = list(getattr(hook, 'key_indicators', None) or [])
        if self.key not in keys:
            return 'greater', None, None
        suffix = '' if len(keys) == 1 else f'_{self.key}'
        hub = runner.message_hub
        return (hook.rules[keys.index(self.key)],
                hub.get_info(f'best_score{suffix}'),
                hub.get_info(f'best_ckpt{suffix}'))

    def history(self, runner) -> Tuple[List[dict], List[dict]]:
        """Every validation of the training, from the runs' scalar logs.

        Args:
            runner (Runner): The runner after training.

        Returns:
            tuple[list[dict], list[dict]]: The validations (``step`` named
            ``epoch`` or ``iter``) and the runs they came from
            (``log_dir``, ``begin``: the epoch or iteration it started
            from).
        """
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
            found.append((dict(run), validations(read_scalars(path),
                                                 self.key)))
        history = merge_runs([(run['begin'], records)
                              for run, records in found])
        for record in history:
            record[unit] = record.pop('step')
        return history, [run for run, _ in found]

    def after_train(self, runner) -> None:
        """Log the last and the best validation result; write them."""
        if not is_main_process():
            return
        history, runs = self.history(runner)
        rule, best_score, best_ckpt = self._best_score(runner)
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
        report: Dict = dict(key=self.key, rule=rule, unit=unit, runs=runs,
                            last=last, best=best,
                            best_checkpoint=best_ckpt, history=history)
        with open(osp.join(runner.log_dir, 'best_last.json'), 'w') as f:
            json.dump(json_safe(report), f, indent=1)


__all__ = [
    'LongTailMetricHook', 'best_and_last', 'merge_runs', 'read_scalars',
    'scalars_file', 'validations'
]
