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
    bbn_two_pass_cl_bf16, ce_b_cl_bf16
                   channels-last with the forward under bfloat16 autocast
                   (``AutocastOptimWrapper``; only if named)
    bbn_two_pass_cl_compile, bbn_two_pass_cl_graphs
                   channels-last, trunk and branches compiled
                   (``torch.compile`` default / 'reduce-overhead' mode, as
                   ``CompileHook``; only if named)

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
import logging
import os.path as osp
import sys
from typing import Callable, Dict

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

import mmbbn  # noqa: F401
from mmbbn.engine import compile_targets, to_channels_last
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from harness import (finish, interleaved, machine, summarise,  # noqa: E402
                     time_calls)

# The name the other benchmarks import.
time_steps = time_calls

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
          bf16: bool = False, compile_mode: str = None, **model_overrides):
    """Model and optimizer wrapper exactly as the Runner builds them.

    ``bf16``: the forward under bfloat16 autocast (AutocastOptimWrapper);
    ``compile_mode``: trunk and branches compiled as ``CompileHook`` does
    (``'default'`` or ``'reduce-overhead'``).
    """
    cfg = Config.fromfile(cfg_path)
    if bf16:
        cfg.optim_wrapper.type = 'AutocastOptimWrapper'
    model_cfg = cfg.model
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model_cfg.update(model_overrides)
    model = MODELS.build(model_cfg)
    model.init_weights()
    model.to(device)
    if channels_last:
        to_channels_last(model)
    if compile_mode:
        for name in compile_targets(model):
            model.get_submodule(name).compile(
                mode=None if compile_mode == 'default' else compile_mode)
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
    num_classes = model_cfg.head.num_classes
    b, size, dev = args.batch_size, args.image_size, args.device
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))

    def batch(seed: int) -> dict:
        g = torch.Generator().manual_seed(seed)
        labels = torch.randint(0, num_classes, (b, ), generator=g)
        return dict(
            inputs=torch.randint(0, 256, (b, 3, size, size), generator=g,
                                 dtype=torch.uint8),
            data_samples=[DataSample().set_gt_label(int(y)) for y in labels])

    steps = {}
    default_joint = MODELS.build(copy.deepcopy(model_cfg)).joint_pass
    for name, joint in (('two_pass', False), ('joint', True)):
        model = MODELS.build(dict(model_cfg, joint_pass=joint))
        model.to(dev).train()
        optim = build_optim_wrapper(model, copy.deepcopy(optim_cfg))
        steps[name] = mmbbn_step(model, optim, BranchPair(batch(0), batch(1)))
    samples = interleaved(steps, args.repeats, args.steps, dev,
                          warmup=args.warmup)
    variants = {}
    for name, runs in samples.items():
        summary = summarise(runs)
        variants[name] = dict(summary,
                              images_per_s=2 * b / summary['median_s'])
    ratio = variants['joint']['median_s'] / variants['two_pass']['median_s']
    result = dict(
        config=args.bbn_config, image_size=size, batch_size=b, device=dev,
        steps_per_repeat=args.steps, repeats=args.repeats,
        optimizer=optim_cfg['optimizer']['type'],
        default_joint_pass=default_joint, host=machine(dev),
        variants=variants, joint_over_two_pass=ratio)
    parts = [f'{n} {r["median_s"]:.3f}s' for n, r in variants.items()]
    parts += [f'joint_over_two_pass {ratio:.3f} (default: '
              f'{"joint" if default_joint else "two passes"})']
    finish(f'step {osp.basename(args.bbn_config)} B={b}x2 {size}px {dev}',
           result, parts, args.out)


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
    # Weight-initialisation reports of every model built are not results.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.bbn_config:
        return bbn_config_benchmark(args)
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
        'bbn_two_pass_cl_bf16': lambda: mmbbn_step(
            *build(BBN_CFG, dev, channels_last=True, bf16=True), pair(0)),
        'ce_b_cl_bf16': lambda: mmbbn_step(
            *build(CE_CFG, dev, channels_last=True, bf16=True),
            loader_batch(b, 10, 0)),
        'bbn_two_pass_cl_compile': lambda: mmbbn_step(
            *build(BBN_CFG, dev, channels_last=True,
                   compile_mode='default'), pair(0)),
        'bbn_two_pass_cl_graphs': lambda: mmbbn_step(
            *build(BBN_CFG, dev, channels_last=True,
                   compile_mode='reduce-overhead'), pair(0)),
    }
    steps = {name: makers[name]() for name in args.variants}
    samples = interleaved(steps, args.repeats, args.steps, dev,
                          warmup=args.warmup)

    images = {name: b if name.startswith('ce_b') else 2 * b
              for name in makers}
    result = dict(
        batch_size=b, device=dev, steps_per_repeat=args.steps,
        repeats=args.repeats, host=machine(dev), variants={})
    for name, runs in samples.items():
        summary = summarise(runs)
        result['variants'][name] = dict(
            summary, images_per_step=images[name],
            images_per_s=images[name] / summary['median_s'])
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
    for name in ('bbn_two_pass_cl_bf16', 'bbn_two_pass_cl_compile',
                 'bbn_two_pass_cl_graphs'):
        if name in v and 'bbn_two_pass_cl' in v:
            ratios[f'two_pass_cl_over_{name[4:]}'] = (
                v['bbn_two_pass_cl']['median_s'] / v[name]['median_s'])
    if 'ce_b_cl' in v and 'ce_b_cl_bf16' in v:
        ratios['ce_b_cl_over_ce_b_cl_bf16'] = (
            v['ce_b_cl']['median_s'] / v['ce_b_cl_bf16']['median_s'])
    result['ratios'] = ratios
    parts = [f'{n} {r["median_s"]:.4f}s ({r["images_per_s"]:.0f} img/s, '
             f'spread {r["spread_s"]:.4f})' for n, r in v.items()]
    parts += [f'{k} {x:.3f}' for k, x in ratios.items()]
    finish(f'step B={b} {dev}', result, parts, args.out)


if __name__ == '__main__':
    main()
