"""Run configs as training subprocesses and collect their results.

Shared by ``tools/benchmarks/compare_methods.py`` and
``tools/observation_experiment.py``: every run is an ordinary
``tools/train.py`` launch on a dumped config in its own folder, so a run
can be inspected, repeated by hand, or reused when a tool is started
again (a finished run leaves ``result.json``).
"""
import copy
import json
import os
import os.path as osp
import subprocess
import sys
import time
import uuid
from typing import Optional, Sequence

from mmengine.config import Config

from .config_overrides import replace_dataset, replace_schedule, rescale_epochs
from .records import REPORT, find_run, read_report


def prepare_config(path: str,
                   data: Optional[str] = None,
                   schedule: Optional[str] = None,
                   epochs: Optional[int] = None,
                   seed: Optional[int] = None,
                   cfg_options: Optional[dict] = None) -> Config:
    """Load a config and apply a tool's overrides in a fixed order.

    Data set, then schedule, then the epoch budget, then the seed, then
    ``cfg_options`` (so an explicit option wins).

    Args:
        path (str): The config file.
        data (str, optional): A data set file to train and test on.
        schedule (str, optional): A schedule file to train with.
        epochs (int, optional): Rescale the schedule to this many epochs.
        seed (int, optional): ``randomness.seed``.
        cfg_options (dict, optional): ``key.path=value`` overrides.

    Returns:
        Config: The run's config.
    """
    cfg = Config.fromfile(path)
    if data:
        replace_dataset(cfg, data)
    if schedule:
        replace_schedule(cfg, schedule)
    if epochs:
        rescale_epochs(cfg, epochs)
    if seed is not None:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=seed)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def last_checkpoint(run_dir: str) -> str:
    """The final checkpoint a training run wrote (MMEngine's record).

    Args:
        run_dir (str): The run's work dir.

    Returns:
        str: Path of the checkpoint.
    """
    record = osp.join(run_dir, 'last_checkpoint')
    if not osp.isfile(record):
        raise FileNotFoundError(f'{run_dir}: no last_checkpoint; did the '
                                'run finish?')
    with open(record) as f:
        return f.read().strip()


def read_best_last(run_dir: str) -> dict:
    """The best/last report of the newest run in a work dir.

    Args:
        run_dir (str): The work dir of one (config, seed).

    Returns:
        dict: ``best_last.json`` of :class:`LongTailMetricHook`.
    """
    return read_report(find_run(run_dir, REPORT)[0])


def _run_tool(cfg: Config, run_dir: str, command: Sequence[str],
              log_name: str) -> dict:
    """Dump ``cfg`` into ``run_dir`` and run a tool on it, logging there.

    Args:
        cfg (Config): The run's config, written to ``run_dir/config.py``.
        run_dir (str): The work dir.
        command (Sequence[str]): The command; ``{config}`` in it becomes
            the dumped config's path.
        log_name (str): File name of the tool's output in ``run_dir``.

    Returns:
        dict: ``wall_s`` and, when the tool failed, ``ok=False``,
        ``error`` and ``log`` (its last lines).
    """
    os.makedirs(run_dir, exist_ok=True)
    cfg_path = osp.join(run_dir, 'config.py')
    cfg.dump(cfg_path)
    log_path = osp.join(run_dir, log_name)
    start = time.time()
    with open(log_path, 'w') as log:
        code = subprocess.call(
            [cfg_path if arg == '{config}' else arg for arg in command],
            stdout=log, stderr=subprocess.STDOUT)
    out = dict(wall_s=time.time() - start)
    if code != 0:
        with open(log_path) as f:
            out.update(ok=False, error=f'exit code {code}',
                       log=f.read()[-3000:])
    return out


def _finish(run_dir: str, result: dict) -> dict:
    """Write a finished run's ``result.json``; return the result."""
    with open(osp.join(run_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=1)
    return result


def _reused(run_dir: str, reuse: bool) -> Optional[dict]:
    """The saved result of a finished run, if it may be reused."""
    done = osp.join(run_dir, 'result.json')
    if reuse and osp.isfile(done):
        with open(done) as f:
            return json.load(f)
    return None


def train_run(cfg: Config,
              run_dir: str,
              train_script: str,
              python: str = sys.executable,
              reuse: bool = True,
              args: Sequence[str] = ()) -> dict:
    """Train ``cfg`` in ``run_dir`` with ``tools/train.py``; its results.

    The config is dumped to ``run_dir/config.py`` and the output goes to
    ``run_dir/train.log``. A finished run (``run_dir/result.json``) is
    reused unless ``reuse`` is False.

    Args:
        cfg (Config): The run's config.
        run_dir (str): Its work dir.
        train_script (str): Path of ``tools/train.py``.
        python (str): The interpreter.
        reuse (bool): Reuse a finished run.
        args (Sequence[str]): More arguments of the tool, e.g.
            ``['--channels-last']``.

    Returns:
        dict: ``ok``, ``wall_s``, ``checkpoint``, ``last``, ``best`` (the
        metrics of the last and the best validation), or ``error`` and
        ``log`` (its last lines) when the run failed.
    """
    old = _reused(run_dir, reuse)
    if old is not None:
        return old
    run = _run_tool(cfg, run_dir, [
        python, train_script, '{config}', '--work-dir', run_dir, *args
    ], 'train.log')
    if run.get('ok') is False:
        return run
    report = read_best_last(run_dir)
    return _finish(run_dir, dict(
        ok=True, wall_s=run['wall_s'], checkpoint=last_checkpoint(run_dir),
        last=report['last'], best=report['best']))


def train_in_process(cfg: Config, run_dir: str, reuse: bool = True) -> dict:
    """Train ``cfg`` in ``run_dir`` with a Runner in this process.

    Faster than :func:`train_run` for many short runs (no interpreter
    start); an error is raised, not recorded. Same results and reuse.

    Args:
        cfg (Config): The run's config.
        run_dir (str): Its work dir.
        reuse (bool): Reuse a finished run.

    Returns:
        dict: As :func:`train_run`.
    """
    from mmengine.runner import Runner
    old = _reused(run_dir, reuse)
    if old is not None:
        return old
    os.makedirs(run_dir, exist_ok=True)
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = run_dir
    # Runners started within one second would share a logger otherwise.
    cfg.experiment_name = (f'{osp.basename(run_dir)}_'
                           f'{time.strftime("%Y%m%d_%H%M%S")}_'
                           f'{uuid.uuid4().hex[:6]}')
    cfg.dump(osp.join(run_dir, 'config.py'))
    start = time.time()
    Runner.from_cfg(cfg).train()
    report = read_best_last(run_dir)
    return _finish(run_dir, dict(
        ok=True, wall_s=time.time() - start,
        checkpoint=last_checkpoint(run_dir), last=report['last'],
        best=report['best']))


def evaluate_run(cfg: Config,
                 run_dir: str,
                 checkpoint: str,
                 test_script: str,
                 python: str = sys.executable,
                 reuse: bool = True,
                 args: Sequence[str] = ()) -> dict:
    """Test ``checkpoint`` under ``cfg`` with ``tools/test.py``.

    For a second stage that only changes inference (tau-normalisation,
    post-hoc adjustment). Results are keyed as in :func:`train_run`; ``last``
    and ``best`` are both the test result.

    Args:
        cfg (Config): The config to test with.
        run_dir (str): Its work dir.
        checkpoint (str): The checkpoint to test.
        test_script (str): Path of ``tools/test.py``.
        python (str): The interpreter.
        reuse (bool): Reuse a finished run.
        args (Sequence[str]): More arguments of the tool.

    Returns:
        dict: As :func:`train_run`.
    """
    old = _reused(run_dir, reuse)
    if old is not None:
        return old
    run = _run_tool(cfg, run_dir, [
        python, test_script, '{config}', checkpoint, '--work-dir', run_dir,
        *args
    ], 'test.log')
    if run.get('ok') is False:
        return run
    try:
        test_dir = find_run(run_dir, 'long_tail_test.json')[0]
    except FileNotFoundError:
        with open(osp.join(run_dir, 'test.log')) as f:
            return dict(ok=False, error='no long_tail_test.json',
                        wall_s=run['wall_s'], log=f.read()[-3000:])
    with open(osp.join(test_dir, 'long_tail_test.json')) as f:
        summary = json.load(f)['summary']
    metrics = {f'lt/{k}': v for k, v in summary.items()}
    return _finish(run_dir, dict(ok=True, wall_s=run['wall_s'],
                                 checkpoint=checkpoint, last=metrics,
                                 best=metrics))


__all__ = [
    'evaluate_run', 'last_checkpoint', 'prepare_config', 'read_best_last',
    'train_in_process', 'train_run'
]
