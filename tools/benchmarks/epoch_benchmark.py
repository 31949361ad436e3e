"""Seconds per training epoch and per evaluation pass, per data path.

BBN and plain CE ResNet-32 on CIFAR-10-LT IF 100 (the shipped configs), each
variant in a fresh process: a real ``Runner`` with every default hook
trains ``--epochs`` epochs and evaluates the balanced test set (10,000
images) after each. The first epoch and evaluation pay for start-up
(worker processes, compilation, cuDNN autotuning) and are reported apart;
the others are timed (device synchronised at each boundary). Variants:

    item                the shipped per-item pipeline (``--workers``)
    item_cl             the same in channels-last (``--channels-last``)
    device              the device-resident path (``use_device_resident``:
                        one uint8 tensor, batched crop and flip, batched
                        evaluation) with ``BufferedRuntimeInfoHook``
    device_cl           + channels-last (``ChannelsLastHook``)
    device_cl_bf16      + the forward under bfloat16 autocast
                        (``AutocastOptimWrapper``)
    device_cl_bf16_compile, device_cl_bf16_graphs
                        + trunk and branches compiled (``CompileHook``;
                        ``'reduce-overhead'`` mode: CUDA graphs)

Data: ``--data-root`` with ``cifar-10-batches-py`` (md5 not checked), or
``--synthetic N`` random pickles of N training images per class.

Usage:
    python tools/benchmarks/epoch_benchmark.py --data-root data/cifar10
        [--device cpu] [--epochs 2] [--variants item device ...]
        [--methods bbn ce] [--out epoch_benchmark.json]
"""
import argparse
import json
import os.path as osp
import sys
import tempfile
import time
import uuid
from typing import Dict, List, Optional

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
sys.path.insert(0, HERE)
from harness import (finish, interleaved, machine, run_child,  # noqa: E402
                     summarise, synchronize, synthetic_cifar)

CONFIGS = dict(
    bbn=osp.join(REPO, 'configs', 'bbn',
                 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py'),
    ce=osp.join(REPO, 'configs', 'baselines', 'ce',
                'resnet32_1xb128-200e_cifar10-lt-ir100.py'))
VARIANTS = ('item', 'item_cl', 'device', 'device_cl', 'device_cl_bf16',
            'device_cl_bf16_compile', 'device_cl_bf16_graphs')
CPU_VARIANTS = ('item', 'item_cl', 'device', 'device_cl', 'device_cl_bf16')
GPU_VARIANTS = ('item', 'device', 'device_cl', 'device_cl_bf16',
                'device_cl_bf16_compile', 'device_cl_bf16_graphs')


def innermost(loader: dict) -> dict:
    """A loader's innermost data set config (inside any wrapper)."""
    dataset = loader['dataset']
    while isinstance(dataset.get('dataset'), dict):
        dataset = dataset['dataset']
    return dataset


def apply_variant(cfg, variant: str, device: str) -> None:
    """Turn a shipped config into one benchmark variant, in place.

    Args:
        cfg (Config): A shipped config.
        variant (str): One of :data:`VARIANTS`.
        device (str): ``'cpu'`` or ``'cuda'``.
    """
    from mmbbn.datasets import use_device_resident
    if variant not in VARIANTS:
        raise ValueError(f'epoch_benchmark: variant {variant!r} is not one '
                         f'of {", ".join(VARIANTS)}')
    parts = variant.split('_')
    hooks = list(cfg.get('custom_hooks') or [])
    if parts[0] == 'device':
        use_device_resident(cfg)
        cfg.default_hooks.runtime_info = dict(type='BufferedRuntimeInfoHook')
    if 'cl' in parts:
        hooks.append(dict(type='ChannelsLastHook'))
    if 'bf16' in parts:
        cfg.optim_wrapper.type = 'AutocastOptimWrapper'
    kind = device.split(':')[0]
    if 'compile' in parts:
        hooks.append(dict(type='CompileHook', devices=(kind, )))
    if 'graphs' in parts:
        hooks.append(dict(type='CompileHook', mode='reduce-overhead',
                          devices=(kind, )))
    cfg.custom_hooks = hooks


def configure(config: str, variant: str, data_root: str, work_dir: str,
              epochs: int, device: str, workers: int, seed: int = 0,
              checkpoint: bool = False):
    """A shipped config as one variant, on the data, for ``epochs``.

    Args:
        config (str): A shipped CIFAR-LT config file.
        variant (str): One of :data:`VARIANTS`.
        data_root (str): Folder with ``cifar-10-batches-py``.
        work_dir (str): The run's work dir.
        epochs (int): Training epochs.
        device (str): ``'cpu'`` or ``'cuda'``.
        workers (int): Loader workers of the per-item path.
        seed (int): The run's seed.
        checkpoint (bool): Keep the config's checkpoints. Defaults to
            False (none written).

    Returns:
        Config: For ``Runner.from_cfg``.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        innermost(cfg[field]).update(data_root=data_root, check_md5=False)
        cfg[field].update(num_workers=workers,
                          persistent_workers=workers > 0,
                          pin_memory=device.startswith('cuda'))
    apply_variant(cfg, variant, device)
    cfg.train_cfg.max_epochs = epochs
    if not checkpoint:
        cfg.default_hooks.checkpoint = None
    cfg.env_cfg.cudnn_benchmark = device.startswith('cuda')
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.work_dir = work_dir
    name = osp.splitext(osp.basename(config))[0]
    cfg.experiment_name = f'{name}_{variant}_{uuid.uuid4().hex[:8]}'
    cfg.log_level = 'WARNING'
    return cfg


class EpochTimer:
    """Wall seconds of every training epoch and evaluation pass."""

    def __init__(self, device: str) -> None:
        from mmengine.hooks import Hook

        timer = self

        class _Hook(Hook):
            priority = 'VERY_HIGH'

            def before_train_epoch(self, runner):
                timer.start()

            def after_train_epoch(self, runner):
                timer.train.append(timer.stop())

            def before_val_epoch(self, runner):
                timer.start()

            def after_val_epoch(self, runner, metrics=None):
                timer.val.append(timer.stop())
                timer.top1.append((metrics or {}).get('lt/top1'))

        self.hook = _Hook()
        self.device = device
        self.train: List[float] = []
        self.val: List[float] = []
        self.top1: List[Optional[float]] = []
        self._start = 0.0

    def start(self) -> None:
        synchronize(self.device)
        self._start = time.perf_counter()

    def stop(self) -> float:
        synchronize(self.device)
        return time.perf_counter() - self._start


def run_one(method: str, variant: str, data_root: str, epochs: int,
            device: str, workers: int) -> dict:
    """Train and evaluate one variant in this process.

    Returns:
        dict: ``train_s`` and ``val_s`` per epoch, ``top1`` per epoch,
        ``iters_per_epoch``, ``total_s``.
    """
    from mmengine.runner import Runner

    import mmbbn  # noqa: F401
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as work_dir:
        cfg = configure(CONFIGS[method], variant, data_root, work_dir,
                        epochs, device, workers)
        runner = Runner.from_cfg(cfg)
        timer = EpochTimer(device)
        runner.register_hook(timer.hook)
        runner.train()
        iters = len(runner.train_dataloader)
    return dict(train_s=timer.train, val_s=timer.val, top1=timer.top1,
                iters_per_epoch=iters, total_s=time.perf_counter() - start)


def sample_costs(batch: int = 128, eval_items: int = 10000,
                 repeats: int = 5) -> dict:
    """What per-item ``DataSample`` objects cost, against one per batch.

    Training: the labels of one BBN batch (two halves of ``batch``) as the
    per-item path carries them (a ``DataSample`` per item, built in the
    loader; gathered, concatenated and scattered back by
    ``ClsDataPreprocessor``) against one ``BatchDataSample`` per half.
    Evaluation: a CIFAR test pass of ``eval_items`` predictions as a head's
    ``predict`` builds them (a sample per item) and as ``BatchedValLoop``
    sets them (one per batch of 1,000), each handed to ``LongTailMetric``
    through MMEngine's ``Evaluator``.

    Returns:
        dict: Median seconds of each, per BBN training batch and per test
        pass.
    """
    import torch
    from mmengine.evaluator import Evaluator
    from mmpretrain.models.heads import LinearClsHead
    from mmpretrain.models.utils import ClsDataPreprocessor
    from mmpretrain.structures import DataSample

    from mmbbn.structures import BatchDataSample
    labels = torch.randint(0, 10, (batch, ))
    # 1-pixel images: the images' own processing is the same either way.
    images = torch.zeros(batch, 3, 1, 1, dtype=torch.uint8)
    pre = ClsDataPreprocessor(num_classes=10)

    def per_item_train():
        for _ in range(2):
            samples = [DataSample().set_gt_label(int(y)) for y in labels]
            pre(dict(inputs=images, data_samples=samples), True)

    def batched_train():
        for _ in range(2):
            samples = [BatchDataSample().set_gt_label(labels)]
            pre(dict(inputs=images, data_samples=samples), True)

    head = LinearClsHead(10, 64)
    # The logits are the same either way: computed once, outside.
    with torch.no_grad():
        logits = head((torch.randn(1000, 64), ))
    eval_labels = torch.randint(0, 10, (1000, ))

    def evaluator():
        ev = Evaluator(dict(type='mmpretrain.LongTailMetric'))
        ev.dataset_meta = dict(classes=[str(i) for i in range(10)])
        return ev

    def per_item_eval():
        ev = evaluator()
        for _ in range(eval_items // 1000):
            samples = [DataSample().set_gt_label(int(y))
                       for y in eval_labels]
            ev.process(head._get_predictions(logits, samples))

    def batched_eval():
        ev = evaluator()
        for _ in range(eval_items // 1000):
            sample = BatchDataSample().set_gt_label(eval_labels)
            ev.process([sample.set_batch_predictions(logits.softmax(1))])

    calls = dict(train_per_item=per_item_train, train_batched=batched_train,
                 eval_per_item=per_item_eval, eval_batched=batched_eval)
    times = interleaved(calls, repeats, 1, warmup=1)
    return {name: summarise(t)['median_s'] for name, t in times.items()}


def steady(times: List[float]) -> Optional[float]:
    """Median after the first (start-up) value; the only one if alone."""
    if not times:
        return None
    rest = sorted(times[1:] or times)
    return rest[len(rest) // 2]


def summarise_runs(runs: Dict[str, Dict[str, dict]]) -> dict:
    """Per method and variant: steady epoch and evaluation seconds, and
    each device variant against the per-item path."""
    out = {}
    for method, variants in runs.items():
        rows = {}
        for variant, r in variants.items():
            if 'error' in r:
                rows[variant] = dict(error=r['error'])
                continue
            train, val = steady(r['train_s']), steady(r['val_s'])
            rows[variant] = dict(
                train_epoch_s=train, eval_s=val,
                first_epoch_s=r['train_s'][0], first_eval_s=r['val_s'][0],
                epoch_with_eval_s=train + val,
                iters_per_epoch=r['iters_per_epoch'],
                top1_last=r['top1'][-1])
        item = rows.get('item', {})
        for variant, row in rows.items():
            if variant != 'item' and 'train_epoch_s' in row and \
                    'train_epoch_s' in item:
                row['train_over_item'] = (row['train_epoch_s'] /
                                          item['train_epoch_s'])
                row['eval_over_item'] = row['eval_s'] / item['eval_s']
        out[method] = rows
    return out


def best_variant(summary: dict, method: str = 'bbn',
                 prefix: str = 'device') -> Optional[str]:
    """The fastest variant (epoch + evaluation) of a path that ran.

    Args:
        summary (dict): :func:`summarise_runs`' result.
        method (str): Whose times decide.
        prefix (str): ``'device'`` or ``'item'``.

    Returns:
        str | None: The variant's name.
    """
    rows = {v: r for v, r in summary.get(method, {}).items()
            if v.startswith(prefix) and 'epoch_with_eval_s' in r}
    if not rows:
        return None
    return min(rows, key=lambda v: rows[v]['epoch_with_eval_s'])


def main() -> None:
    """Run every variant in its own process; print one line; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default=None)
    parser.add_argument('--synthetic', type=int, default=None,
                        help='random pickles, N training images per class')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--methods', nargs='+', default=['bbn', 'ce'])
    parser.add_argument('--variants', nargs='+', default=None,
                        help=f'default: {" ".join(CPU_VARIANTS)} on a CPU, '
                        f'{" ".join(GPU_VARIANTS)} on a GPU')
    parser.add_argument('--timeout', type=float, default=None,
                        help='seconds per variant before it is stopped')
    parser.add_argument('--skip-samples', action='store_true',
                        help='do not time per-item against batched samples')
    parser.add_argument('--out', default='epoch_benchmark.json')
    parser.add_argument('--one', default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        method, variant = args.one.split(':')
        print(json.dumps(run_one(method, variant, args.data_root,
                                 args.epochs, args.device, args.workers)))
        return
    tmp = tempfile.TemporaryDirectory()
    tmp_used = args.data_root is None
    if tmp_used:
        args.data_root = synthetic_cifar(
            tmp.name, args.synthetic or 5000,
            min(1000, args.synthetic or 1000))
    variants = args.variants or (GPU_VARIANTS if args.device.startswith(
        'cuda') else CPU_VARIANTS)
    runs: Dict[str, Dict[str, dict]] = {m: {} for m in args.methods}
    for method in args.methods:
        for variant in variants:
            runs[method][variant] = run_child(__file__, [
                '--one', f'{method}:{variant}', '--data-root',
                args.data_root, '--epochs', str(args.epochs), '--device',
                args.device, '--workers', str(args.workers)
            ], timeout=args.timeout)
    summary = summarise_runs(runs)
    samples = None
    if not args.skip_samples:
        import mmbbn  # noqa: F401
        samples = sample_costs()
    result = dict(
        data=(f'real: {args.data_root}' if not tmp_used else
              f'synthetic: {args.synthetic or 5000} per class'),
        epochs=args.epochs, workers=args.workers, host=machine(args.device),
        runs=runs, summary=summary, sample_costs_s=samples,
        best_device_variant=best_variant(summary))
    parts = []
    for method, rows in summary.items():
        cells = [f'{v} ' + (f'{r["train_epoch_s"]:.2f}+{r["eval_s"]:.2f}s'
                            if 'train_epoch_s' in r else 'failed')
                 for v, r in rows.items()]
        parts.append(f'{method} epoch+eval: ' + ', '.join(cells))
        ratios = [f'{v} {r["train_over_item"]:.2f}/{r["eval_over_item"]:.2f}'
                  for v, r in rows.items() if 'train_over_item' in r]
        if ratios:
            parts.append(f'{method} vs item (train/eval): ' +
                         ', '.join(ratios))
    if samples:
        parts.append('samples s per BBN batch / test pass, per item vs '
                     f'batched: {samples["train_per_item"]:.4f} / '
                     f'{samples["train_batched"]:.4f}, '
                     f'{samples["eval_per_item"]:.3f} / '
                     f'{samples["eval_batched"]:.3f}')
    finish(f'epoch {args.device}', result, parts, args.out)


if __name__ == '__main__':
    main()
