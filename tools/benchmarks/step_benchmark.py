"""Seconds per training step of BBN and plain CE, as the Runner runs them.

Each variant is built from a shipped config the way ``Runner`` builds it
(model with its data preprocessor, optimizer wrapper) and fed batches that
look exactly like what the data loader hands over (``default_collate``:
uint8 images, data samples; a ``BranchPair`` of two for BBN), already in
memory. A step is ``model.train_step(batch, optim_wrapper)``: preprocessing,
forward, loss, backward, optimizer step. Variants are interleaved round by
round, so drifts in machine speed hit all of them alike.

Variants:
    bbn_two_pass   BBN, two trunk passes of B (official)
    bbn_joint      BBN, one trunk pass of 2B
    ce_b           plain CE ResNet-32, one step of B
    ce_2b          plain CE ResNet-32, one step of 2B
    torch_bbn      the same BBN step in plain PyTorch (no MMEngine), the
                   arithmetic of the official combiner, as a floor
    bbn_two_pass_cl, ce_b_cl
                   the same in channels-last memory format (what
                   ``--channels-last`` of tools/train.py runs)
    bbn_joint_cl   likewise (not run unless named in --variants)

Usage:
    python tools/benchmarks/step_benchmark.py [--batch-size 128]
        [--steps 20] [--repeats 3] [--device cpu] [--out step.json]

Any BBN config instead (e.g. configs/_base_/models/bbn_vit-base-p16.py):
two trunk passes against one joint pass at --image-size, random weights,
the config's optimizer (SGD without one):
    python tools/benchmarks/step_benchmark.py --bbn-config CONFIG
        --image-size 224 --batch-size 8 [--steps 3] [--out step.json]
"""
import argparse
import copy
import json
import logging
import os.path as osp
import platform
import statistics
import time
from typing import Callable, Dict, List

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

import mmbbn  # noqa: F401
from mmbbn.engine import to_channels_last
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BBN_CFG = osp.join(REPO, 'configs', 'bbn',
                   'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py')
CE_CFG = osp.join(REPO, 'configs', 'baselines', 'ce',
                  'resnet32_1xb128-200e_cifar10-lt-ir100.py')


def loader_batch(n: int, num_classes: int, seed: int) -> dict:
    """A batch as ``default_collate`` gives it: uint8 images, samples."""
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, 32, 32), generator=g,
                           dtype=torch.uint8)
    labels = torch.randint(0, num_classes, (n, ), generator=g)
    samples = [DataSample().set_gt_label(int(y)) for y in labels]
    return dict(inputs=images, data_samples=samples)


def build(cfg_path: str, device: str, channels_last: bool = False,
          **model_overrides):
    """Model and optimizer wrapper exactly as the Runner builds them."""
    cfg = Config.fromfile(cfg_path)
    model_cfg = cfg.model
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model_cfg.update(model_overrides)
    model = MODELS.build(model_cfg)
    model.init_weights()
    model.to(device)
    if channels_last:
        to_channels_last(model)
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    return model, optim


def mmbbn_step(model, optim, batch) -> Callable[[], None]:
    """One Runner training step of an MMEngine model."""
    if hasattr(model.head, 'alpha'):
        model.head.alpha = 0.6

    def step():
        model.train_step(batch, optim)

    return step


def torch_bbn_step(device: str, batch: int, num_classes: int
                   ) -> Callable[[], None]:
    """The official BBN step in plain PyTorch: two passes, mix, CE, SGD.

    Uses mmbbn's modules only as containers of the same layers; no data
    preprocessor, no optimizer wrapper, no MMEngine bookkeeping. Inputs are
    already normalised floats (the official loader normalises in workers).
    """
    model, _ = build(BBN_CFG, device)
    trunk, neck, fc = model.backbone, model.neck, model.head.fc
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=2e-4,
                          nesterov=True)
    g = torch.Generator().manual_seed(0)
    x_c = torch.randn(batch, 3, 32, 32, generator=g).to(device)
    x_r = torch.randn(batch, 3, 32, 32, generator=g).to(device)
    y_c = torch.randint(0, num_classes, (batch, ), generator=g).to(device)
    y_r = torch.randint(0, num_classes, (batch, ), generator=g).to(device)
    alpha = 0.6

    def step():
        f_c = neck.pool(neck.conventional(trunk(x_c)[-1])).flatten(1)
        f_r = neck.pool(neck.rebalancing(trunk(x_r)[-1])).flatten(1)
        z = fc(2 * torch.cat((alpha * f_c, (1 - alpha) * f_r), dim=1))
        loss = (alpha * F.cross_entropy(z, y_c) +
                (1 - alpha) * F.cross_entropy(z, y_r))
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()

    return step


def time_steps(step: Callable[[], None], n: int, device: str) -> List[float]:
    """Wall seconds of ``n`` consecutive steps."""
    times = []
    for _ in range(n):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


def bbn_config_benchmark(args: argparse.Namespace) -> None:
    """Two-pass and joint steps of any BBN config at ``args.image_size``.

    Built as the Runner builds it (data preprocessor, optimizer wrapper),
    without the backbone's ``Pretrained`` (weights do not change timing;
    nothing is downloaded). The two variants alternate repeat by repeat.
    """
    cfg = Config.fromfile(args.bbn_config)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.setdefault('data_preprocessor', cfg.get(
        'data_preprocessor', dict(mean=[123.675, 116.28, 103.53],
                                  std=[58.395, 57.12, 57.375], to_rgb=True)))
    model_cfg.backbone.pop('init_cfg', None)
    optim_cfg = cfg.get('optim_wrapper', dict(optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, nesterov=True)))
    num_classes, b, size = model_cfg.head.num_classes, args.batch_size, \
        args.image_size
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))

    def batch(seed: int) -> dict:
        g = torch.Generator().manual_seed(seed)
        labels = torch.randint(0, num_classes, (b, ), generator=g)
        return dict(
            inputs=torch.randint(0, 256, (b, 3, size, size), generator=g,
                                 dtype=torch.uint8),
            data_samples=[DataSample().set_gt_label(int(y)) for y in labels])

    steps, default_joint = {}, None
    for name, joint in (('two_pass', False), ('joint', True)):
        model = MODELS.build(dict(model_cfg, joint_pass=joint))
        model.to(args.device).train()
        if default_joint is None:
            default_joint = MODELS.build(model_cfg).joint_pass
        optim = build_optim_wrapper(model, copy.deepcopy(optim_cfg))
        steps[name] = mmbbn_step(model, optim, BranchPair(batch(0), batch(1)))
        time_steps(steps[name], args.warmup, args.device)
    samples: Dict[str, List[List[float]]] = {n: [] for n in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            samples[name].append(time_steps(step, args.steps, args.device))
    variants = {}
    for name, runs in samples.items():
        med = statistics.median(t for run in runs for t in run)
        variants[name] = dict(
            median_s=med, repeat_medians_s=[statistics.median(r)
                                            for r in runs],
            images_per_s=2 * b / med)
    ratio = variants['joint']['median_s'] / variants['two_pass']['median_s']
    result = dict(
        config=args.bbn_config, image_size=size, batch_size=b,
        device=args.device, threads=torch.get_num_threads(),
        steps_per_repeat=args.steps, repeats=args.repeats,
        optimizer=optim_cfg['optimizer']['type'],
        default_joint_pass=default_joint, torch=torch.__version__,
        processor=platform.processor() or platform.machine(),
        variants=variants, joint_over_two_pass=ratio)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
    print(f'step {osp.basename(args.bbn_config)} B={b}x2 {size}px '
          f'{args.device}: two_pass {variants["two_pass"]["median_s"]:.3f}s'
          f' | joint {variants["joint"]["median_s"]:.3f}s | joint_over_'
          f'two_pass {ratio:.3f} (default: '
          f'{"joint" if default_joint else "two passes"}) -> {args.out}')


def main() -> None:
    """Run the interleaved benchmark, print one line, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--steps', type=int, default=20,
                        help='timed steps per variant per repeat')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--variants', nargs='+', default=[
        'bbn_two_pass', 'bbn_joint', 'ce_b', 'ce_2b', 'torch_bbn',
        'bbn_two_pass_cl', 'ce_b_cl'])
    parser.add_argument('--out', default='step_benchmark.json')
    parser.add_argument('--bbn-config', help='time two passes against one '
                        'joint pass of this BBN config instead')
    parser.add_argument('--image-size', type=int, default=224,
                        help='image size of --bbn-config batches')
    args = parser.parse_args()
    if args.bbn_config:
        MMLogger.get_current_instance().setLevel(logging.WARNING)
        if args.threads:
            torch.set_num_threads(args.threads)
        return bbn_config_benchmark(args)
    # Weight-initialisation reports of every model built are not results.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    b, dev = args.batch_size, args.device

    def pair(seed):
        return BranchPair(loader_batch(b, 10, seed),
                          loader_batch(b, 10, seed + 1))

    makers: Dict[str, Callable[[], Callable[[], None]]] = {
        'bbn_two_pass': lambda: mmbbn_step(*build(BBN_CFG, dev), pair(0)),
        'bbn_joint': lambda: mmbbn_step(
            *build(BBN_CFG, dev, joint_pass=True), pair(0)),
        'ce_b': lambda: mmbbn_step(*build(CE_CFG, dev),
                                   loader_batch(b, 10, 0)),
        'ce_2b': lambda: mmbbn_step(*build(CE_CFG, dev),
                                    loader_batch(2 * b, 10, 0)),
        'torch_bbn': lambda: torch_bbn_step(dev, b, 10),
        'bbn_two_pass_cl': lambda: mmbbn_step(
            *build(BBN_CFG, dev, channels_last=True), pair(0)),
        'bbn_joint_cl': lambda: mmbbn_step(
            *build(BBN_CFG, dev, channels_last=True, joint_pass=True),
            pair(0)),
        'ce_b_cl': lambda: mmbbn_step(
            *build(CE_CFG, dev, channels_last=True), loader_batch(b, 10, 0)),
    }
    steps = {name: makers[name]() for name in args.variants}
    for name, step in steps.items():
        time_steps(step, args.warmup, dev)
    samples: Dict[str, List[List[float]]] = {n: [] for n in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            samples[name].append(time_steps(step, args.steps, dev))

    images = dict(bbn_two_pass=2 * b, bbn_joint=2 * b, ce_b=b, ce_2b=2 * b,
                  torch_bbn=2 * b, bbn_two_pass_cl=2 * b,
                  bbn_joint_cl=2 * b, ce_b_cl=b)
    result = dict(
        batch_size=b, device=dev, threads=torch.get_num_threads(),
        steps_per_repeat=args.steps, repeats=args.repeats,
        torch=torch.__version__, machine=platform.machine(),
        processor=platform.processor() or platform.machine(),
        cuda_device=(torch.cuda.get_device_name(0)
                     if dev.startswith('cuda') else None),
        variants={})
    for name, runs in samples.items():
        flat = [t for run in runs for t in run]
        per_repeat = [statistics.median(run) for run in runs]
        med = statistics.median(flat)
        result['variants'][name] = dict(
            median_s=med, repeat_medians_s=per_repeat,
            spread_s=max(per_repeat) - min(per_repeat),
            images_per_step=images[name],
            images_per_s=images[name] / med)
    v = result['variants']
    ratios = {}
    if 'bbn_two_pass' in v and 'ce_b' in v:
        ratios['two_pass_over_two_ce_b'] = (v['bbn_two_pass']['median_s'] /
                                            (2 * v['ce_b']['median_s']))
    if 'bbn_joint' in v and 'ce_2b' in v:
        ratios['joint_over_ce_2b'] = (v['bbn_joint']['median_s'] /
                                      v['ce_2b']['median_s'])
    if 'bbn_two_pass' in v and 'bbn_joint' in v:
        ratios['joint_over_two_pass'] = (v['bbn_joint']['median_s'] /
                                         v['bbn_two_pass']['median_s'])
    if 'bbn_two_pass' in v and 'torch_bbn' in v:
        ratios['two_pass_over_plain_torch'] = (
            v['bbn_two_pass']['median_s'] / v['torch_bbn']['median_s'])
    if 'bbn_two_pass' in v and 'bbn_two_pass_cl' in v:
        ratios['two_pass_over_two_pass_cl'] = (
            v['bbn_two_pass']['median_s'] /
            v['bbn_two_pass_cl']['median_s'])
    if 'bbn_two_pass_cl' in v and 'ce_b_cl' in v:
        ratios['two_pass_cl_over_two_ce_b_cl'] = (
            v['bbn_two_pass_cl']['median_s'] / (2 * v['ce_b_cl']['median_s']))
    result['ratios'] = ratios
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
    parts = [f'{n} {r["median_s"]:.4f}s ({r["images_per_s"]:.0f} img/s, '
             f'spread {r["spread_s"]:.4f})' for n, r in v.items()]
    parts += [f'{k} {x:.3f}' for k, x in ratios.items()]
    print(f'step B={b} {dev}: ' + ' | '.join(parts) + f' -> {args.out}')


if __name__ == '__main__':
    main()
