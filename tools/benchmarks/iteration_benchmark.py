"""Whole training iterations of BBN and CE through a real Runner.

Three measurements, one process:

1. Data loader alone: seconds per batch of the BBN train loader (pairs:
   ``DualSampleDataset`` + ``DualSampler``) and the CE loader (single
   items) built from the shipped CIFAR-10-LT configs with the real
   transforms. First in this process (``num_workers=0``, the loaders
   taking turns batch by batch): the ratio is what a pair costs against
   one item (target <= 2.1). Then with ``--workers`` prefetching
   processes: how fast the workers hand batches over (mostly
   inter-process transfer once they keep up).
2. Runner iterations: a real :class:`Runner` (iteration-based loop, all
   default hooks, validation off) trains BBN and CE for a fixed number of
   iterations; the median iteration time is set against the bare step of
   ``step_benchmark.py`` (same model, batch already in memory), which
   shows what the pipeline and hooks add. ``bbn_cl`` is BBN as
   ``tools/train.py --channels-last`` runs it.
3. The re-balanced draw at iNaturalist-2018 scale (437,513 items, 8,142
   classes): seconds to build the class index and microseconds per draw.

Data: ``--data-root`` with ``cifar-10-batches-py`` (md5 not checked), or
synthetic pickles in the same format written to a temporary folder.

Usage:
    python tools/benchmarks/iteration_benchmark.py [--data-root DIR]
        [--iters 30] [--workers 2] [--out iteration.json]
"""
import argparse
import copy
import os.path as osp
import statistics
import sys
import tempfile
import time
from typing import Dict, Iterable, Iterator, Tuple
from unittest import mock

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmbbn  # noqa: F401
from mmbbn.datasets import DualSampleDataset, DualSampler

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from harness import (finish, interleaved, machine, summarise,  # noqa: E402
                     synthetic_cifar, time_calls)
# tools/launch.py: what tools/train.py and tools/test.py share.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from launch import use_channels_last  # noqa: E402
from step_benchmark import (BBN_CFG, CE_CFG, build, loader_batch,  # noqa
                            mmbbn_step)

from mmbbn.structures import BranchPair  # noqa: E402


def configure(path: str, data_root: str, work_dir: str, workers: int,
              iters: int) -> Config:
    """A shipped config pointed at the data, iteration-based, no val."""
    cfg = Config.fromfile(path)
    train = cfg.train_dataloader.dataset
    inner = train.get('dataset', train)
    inner.data_root = data_root
    inner.check_md5 = False
    cfg.train_dataloader.num_workers = workers
    cfg.train_dataloader.persistent_workers = workers > 0
    cfg.train_dataloader.pin_memory = False
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters)
    cfg.param_scheduler = []
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=10**9, by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**9)
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    return cfg


def loader_rate(cfg: Config, batches: int) -> float:
    """Median seconds per batch of a config's train loader."""
    init_default_scope(cfg.default_scope)
    it = endless(Runner.build_dataloader(cfg.train_dataloader, seed=0))
    time_calls(lambda: next(it), 3)  # the workers start and prefetch
    return statistics.median(time_calls(lambda: next(it), batches))


def endless(loader: Iterable) -> Iterator:
    """Batches of ``loader``, epoch after epoch.

    A function, not a generator expression in a loop: an expression's inner
    ``for batch in loader`` looks ``loader`` up again at every epoch, and
    in a loop over loaders that name has moved on to the next one.
    """
    while True:
        yield from loader


def batch_images(batch) -> int:
    """Images in a collated batch: both halves of a BBN pair count."""
    if isinstance(batch, BranchPair):
        return sum(batch_images(half) for half in batch)
    return len(batch['inputs'])


def loader_cost(cfgs: Dict[str, Config],
                batches: int) -> Tuple[Dict[str, float], Dict[str, int]]:
    """Median CPU seconds per batch of each train loader, in this process.

    ``num_workers=0``: sampling, transforms and collation all run here, so
    the time is what a batch costs, not how fast prefetching workers hide
    it. The loaders take turns batch by batch, so drifts in machine speed
    hit all alike; an epoch end is crossed as often as needed.

    Returns:
        tuple[dict, dict]: Median seconds per batch, and images per batch
        (checked to be the same in every batch) of each loader.
    """
    init_default_scope('mmpretrain')
    iters = {}
    for name, cfg in cfgs.items():
        loader_cfg = copy.deepcopy(cfg.train_dataloader)
        loader_cfg.update(num_workers=0, persistent_workers=False,
                          pin_memory=False)
        iters[name] = endless(Runner.build_dataloader(loader_cfg, seed=0))
    images = {name: batch_images(next(it)) for name, it in iters.items()}

    def fetch(name):

        def call():
            batch = next(iters[name])
            if batch_images(batch) != images[name]:
                raise RuntimeError(
                    f'loader {name}: a batch of {batch_images(batch)} '
                    f'images, the first had {images[name]}')

        return call

    samples = interleaved({name: fetch(name) for name in iters}, batches)
    return ({name: summarise(runs)['median_s']
             for name, runs in samples.items()}, images)


def runner_rate(cfg: Config) -> float:
    """Median seconds per iteration of a real Runner (first 3 dropped)."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    history = runner.message_hub.get_scalar('train/time').data[0]
    return float(np.median(history[3:]))


def draw_rate(items: int = 437_513, classes: int = 8_142) -> dict:
    """Class-index build time and cost per re-balanced draw at scale."""

    class Labels:
        metainfo = dict(classes=[str(i) for i in range(classes)])

        def __init__(self):
            rng = np.random.default_rng(0)
            # Long-tailed: class sizes ~ Zipf, every class present.
            weights = 1.0 / np.arange(1, classes + 1)
            self.labels = np.concatenate([
                np.arange(classes),
                rng.choice(classes, items - classes, p=weights / weights.sum())
            ])

        def get_gt_labels(self):
            return self.labels

        def __len__(self):
            return len(self.labels)

    start = time.perf_counter()
    wrapped = DualSampleDataset.__new__(DualSampleDataset)
    wrapped.dataset = Labels()
    wrapped._metainfo = Labels.metainfo
    with mock.patch('mmengine.dataset.sampler.get_dist_info',
                    return_value=(0, 1)):
        sampler = DualSampler(wrapped, seed=0)
    build_s = time.perf_counter() - start
    times = []
    for epoch in range(5):
        sampler.set_epoch(epoch)
        start = time.perf_counter()
        sampler.rebalanced_indices()
        times.append(time.perf_counter() - start)
    per_epoch = statistics.median(times)
    return dict(items=items, classes=classes, build_s=build_s,
                draws_per_epoch_s=per_epoch,
                us_per_draw=1e6 * per_epoch / items)


def main() -> None:
    """Run the three measurements, print one line, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default=None)
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--loader-batches', type=int, default=200)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--skip-runner', action='store_true')
    parser.add_argument('--out', default='iteration_benchmark.json')
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    data_root = args.data_root or synthetic_cifar(tmp.name)
    result = dict(data=('real: ' + args.data_root) if args.data_root else
                  'synthetic', workers=args.workers, host=machine('cpu'))

    cfgs = {name: configure(path, data_root, osp.join(tmp.name, name),
                            args.workers, args.iters)
            for name, path in (('bbn', BBN_CFG), ('ce', CE_CFG))}
    # What a batch costs (in-process), then how fast the workers deliver.
    loader, images = loader_cost(cfgs, args.loader_batches)
    result['loader_cost_s_per_batch'] = loader
    result['loader_images_per_batch'] = images
    result['pair_over_single'] = loader['bbn'] / loader['ce']
    workers = {n: loader_rate(c, args.loader_batches)
               for n, c in cfgs.items()}
    result['loader_workers_s_per_batch'] = workers
    result['pair_over_single_workers'] = workers['bbn'] / workers['ce']

    if not args.skip_runner:
        bare = {}
        b = cfgs['bbn'].train_dataloader.batch_size
        # bbn_cl: BBN as `tools/train.py --channels-last` runs it.
        cfgs['bbn_cl'] = copy.deepcopy(cfgs['bbn'])
        use_channels_last(cfgs['bbn_cl'])
        cfgs['bbn_cl'].work_dir += '_cl'
        for name, path in (('bbn', BBN_CFG), ('ce', CE_CFG),
                           ('bbn_cl', BBN_CFG)):
            batch = (BranchPair(loader_batch(b, 10, 0),
                                loader_batch(b, 10, 1))
                     if name != 'ce' else loader_batch(b, 10, 0))
            step = mmbbn_step(
                *build(path, 'cpu', channels_last=name == 'bbn_cl'), batch)
            time_calls(step, 3, 'cpu')
            bare[name] = statistics.median(time_calls(step, args.iters,
                                                      'cpu'))
        runner = {n: runner_rate(c) for n, c in cfgs.items()}
        result['bare_step_s'] = bare
        result['runner_iter_s'] = runner
        result['runner_over_bare'] = {n: runner[n] / bare[n] for n in bare}
    result['rebalanced_draw'] = draw_rate()
    parts = [f'loader cost s/batch bbn {loader["bbn"]:.4f} ce '
             f'{loader["ce"]:.4f} (pair/single '
             f'{result["pair_over_single"]:.2f}; with {args.workers} '
             f'workers {result["pair_over_single_workers"]:.2f})']
    if 'runner_iter_s' in result:
        r, bs = result['runner_iter_s'], result['bare_step_s']
        parts.append('runner s/iter, bare step, runner/bare: ' + ', '.join(
            f'{n} {r[n]:.3f} {bs[n]:.3f} {r[n] / bs[n]:.3f}' for n in r))
    d = result['rebalanced_draw']
    parts.append(f'iNat-scale draws: index {d["build_s"]:.3f}s, '
                 f'{d["us_per_draw"]:.3f} us/draw')
    finish('iteration', result, parts, args.out)


if __name__ == '__main__':
    main()
