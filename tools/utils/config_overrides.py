"""Swap a config's data set or schedule, or shorten it, from a tool.

The benchmark tools (``tools/benchmarks/compare_methods.py``,
``tools/observation_experiment.py``) run method configs on any configured
data set and budget. Each method config keeps what makes it a method (the
model, loss, sampler and hooks); these functions replace the rest from the
files under ``configs/_base_/``.
"""
import copy
from typing import Optional, Union

from mmengine.config import Config

# Keys a data set file (configs/_base_/datasets/*.py) owns.
DATA_KEYS = ('data_preprocessor', 'val_dataloader', 'test_dataloader',
             'val_evaluator', 'test_evaluator')
# Keys a schedule file (configs/_base_/schedules/*.py) owns.
SCHEDULE_KEYS = ('param_scheduler', 'train_cfg', 'val_cfg', 'test_cfg',
                 'auto_scale_lr')
# Hooks whose arguments count epochs.
EPOCH_HOOK_ARGS = {
    'DeferredReweightingHook': ('switch_epoch', ),
    'DeferredResamplingHook': ('switch_epoch', ),
    'CumulativeAlphaHook': ('t_max', 'step_at'),
}


def _load(source: Union[str, Config]) -> Config:
    return source if isinstance(source, Config) else Config.fromfile(source)


def replace_dataset(cfg: Config, data: Union[str, Config]) -> None:
    """Train and test a config on another data set, keeping its method.

    The data set file gives the preprocessor, the training set and its
    loader settings, the validation/test loaders and the evaluators; the
    config keeps its training sampler and, for BBN, its
    ``DualSampleDataset`` wrapper. The head's ``num_classes`` and the
    backbone's ``in_channels`` follow the data set.

    Args:
        cfg (Config): A method config, changed in place.
        data (str | Config): A data set file such as
            ``configs/_base_/datasets/digits_lt.py``.
    """
    data = _load(data)
    missing = [k for k in DATA_KEYS + ('train_dataloader', )
               if data.get(k) is None]
    if missing:
        raise ValueError(f'{data.filename}: not a data set file (no '
                         f'{", ".join(missing)})')
    for key in DATA_KEYS:
        cfg[key] = copy.deepcopy(data[key])
    loader = copy.deepcopy(data.train_dataloader)
    old = cfg.get('train_dataloader') or {}
    if old.get('sampler') is not None:
        loader['sampler'] = copy.deepcopy(old['sampler'])
    old_dataset = old.get('dataset') or {}
    if 'dataset' in old_dataset and isinstance(old_dataset['dataset'], dict):
        wrapper = copy.deepcopy(old_dataset)
        new = loader['dataset']
        # The method's wrapper replaces the data file's SeededDataset.
        wrapper['dataset'] = (new['dataset'] if new.get('type')
                              == 'SeededDataset' else new)
        loader['dataset'] = wrapper
    cfg.train_dataloader = loader
    preprocessor = cfg.data_preprocessor
    model = cfg.model
    if model.get('head') is not None and 'num_classes' in model.head:
        model.head.num_classes = preprocessor.num_classes
    if model.get('backbone') is not None and preprocessor.get('mean'):
        model.backbone.in_channels = len(preprocessor.mean)


def replace_schedule(cfg: Config, schedule: Union[str, Config]) -> None:
    """Train a config on another schedule.

    The schedule file gives the optimiser, the lr schedule and the loop
    settings; a ``paramwise_cfg`` of the method config (e.g. no weight
    decay on a bias) is kept.

    Args:
        cfg (Config): A method config, changed in place.
        schedule (str | Config): A schedule file such as
            ``configs/_base_/schedules/cifar_lt_bs128_200e.py``.
    """
    schedule = _load(schedule)
    if schedule.get('optim_wrapper') is None or schedule.get(
            'train_cfg') is None:
        raise ValueError(f'{schedule.filename}: not a schedule file (no '
                         'optim_wrapper or train_cfg)')
    paramwise = (cfg.get('optim_wrapper') or {}).get('paramwise_cfg')
    cfg.optim_wrapper = copy.deepcopy(schedule.optim_wrapper)
    if paramwise is not None and 'paramwise_cfg' not in cfg.optim_wrapper:
        cfg.optim_wrapper.paramwise_cfg = copy.deepcopy(paramwise)
    for key in SCHEDULE_KEYS:
        if schedule.get(key) is not None:
            cfg[key] = copy.deepcopy(schedule[key])


def _scaled(value: int, factor: float, low: int = 0,
            high: Optional[int] = None) -> int:
    out = max(low, int(round(value * factor)))
    return out if high is None else min(out, high)


def rescale_epochs(cfg: Config, epochs: int) -> None:
    """Shorten (or lengthen) an epoch-based config proportionally.

    ``train_cfg.max_epochs`` becomes ``epochs``; every epoch count of the
    lr schedule (``milestones``, ``begin``/``end``, ``T_max``,
    ``step_size``), of the epoch-counting hooks (DRW/DRS ``switch_epoch``,
    alpha's ``t_max``/``step_at``) and a sampler's ``total_epochs`` is
    multiplied by ``epochs / max_epochs`` and rounded; a switch epoch stays
    inside the run. A ``begin``/``end`` span (a warm-up) keeps at least one
    epoch; one that shrinks to a single epoch is stepped per iteration
    (``convert_to_iter_based``), so it still reaches the full lr by the end
    of that epoch.

    Args:
        cfg (Config): An epoch-based config, changed in place.
        epochs (int): The new number of epochs.
    """
    if not (isinstance(epochs, int) and epochs > 0):
        raise ValueError(f'epochs={epochs!r} is not a positive integer')
    train_cfg = cfg.get('train_cfg') or {}
    old = train_cfg.get('max_epochs')
    if not train_cfg.get('by_epoch', True) or not old:
        raise ValueError('rescale_epochs needs an epoch-based train_cfg with '
                         'max_epochs')
    factor = epochs / old
    cfg.train_cfg.max_epochs = epochs
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for sched in schedulers:
        if not sched.get('by_epoch', True):
            continue
        if 'milestones' in sched:
            sched.milestones = [_scaled(m, factor, 1)
                                for m in sched.milestones]
        for key in ('T_max', 'step_size'):
            if key in sched:
                sched[key] = _scaled(sched[key], factor, 1)
        if 'begin' in sched or 'end' in sched:
            begin = _scaled(sched.get('begin', 0), factor)
            sched.begin = begin
            if 'end' in sched and sched.end is not None:
                sched.end = max(begin + 1, _scaled(sched.end, factor))
                if sched.end - begin < 2:
                    # MMEngine's one-epoch LinearLR never leaves its start
                    # factor (it updates at epoch ends inside the span
                    # only); stepped per iteration it spans that epoch.
                    sched.convert_to_iter_based = True
    for hook in cfg.get('custom_hooks') or []:
        for arg in EPOCH_HOOK_ARGS.get(hook.get('type'), ()):
            if hook.get(arg) is None:
                continue
            if arg == 'switch_epoch':
                hook[arg] = _scaled(hook[arg], factor, 0, epochs - 1)
            else:
                hook[arg] = _scaled(hook[arg], factor, 1)
    sampler = (cfg.get('train_dataloader') or {}).get('sampler') or {}
    if sampler.get('total_epochs'):
        sampler.total_epochs = _scaled(sampler.total_epochs, factor, 1)


__all__ = [
    'DATA_KEYS', 'SCHEDULE_KEYS', 'replace_dataset', 'replace_schedule',
    'rescale_epochs'
]
