"""How BBN's step time and memory grow with batch, image size and classes.

Each case runs in a fresh process (so peak memory is its own): build the
BBN model of a shipped config (ResNet-32 for CIFAR, ResNet-50 for
iNaturalist), optionally change the number of classes, then time
``train_step`` on in-memory batches of the given size and image side.
Memory is the process's peak resident set after the steps minus the
resident set right after building the model (on GPUs: peak allocated
CUDA memory); the model's parameters, gradients and momentum are reported
separately, computed from the parameter count.

Usage:
    python tools/benchmarks/scaling_benchmark.py [--device cpu]
        [--steps 3] [--out scaling.json]
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import sys

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, HERE)
from harness import finish, machine, run_child, time_calls  # noqa: E402

REPO = osp.dirname(osp.dirname(HERE))
CIFAR = osp.join(REPO, 'configs', 'bbn',
                 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py')

# (name, config, batch per branch, image side, classes or None)
CASES = [
    ('r32_b32_s32_c10', CIFAR, 32, 32, None),
    ('r32_b64_s32_c10', CIFAR, 64, 32, None),
    ('r32_b128_s32_c10', CIFAR, 128, 32, None),
    ('r32_b256_s32_c10', CIFAR, 256, 32, None),
    ('r32_b16_s224_c10', CIFAR, 16, 224, None),
    ('r32_b16_s32_c8142', CIFAR, 16, 32, 8142),
    ('r32_b16_s32_c10', CIFAR, 16, 32, None),
    ('r50_b8_s224_c10', 'resnet50', 8, 224, 10),
    ('r50_b8_s224_c8142', 'resnet50', 8, 224, 8142),
]


def rss_mb() -> float:
    """Peak resident set of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Current resident set of this process, in MB."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run_case(cfg_path: str, batch: int, side: int, classes, steps: int,
             device: str) -> dict:
    """Time and measure one case in this process."""
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    import mmbbn  # noqa: F401
    from mmbbn.registry import MODELS
    from mmbbn.structures import BranchPair
    from step_benchmark import loader_batch

    if cfg_path == 'resnet50':
        cfg = Config(dict(
            model=dict(
                type='BBNClassifier',
                backbone=dict(type='BBNResNet', depth=50,
                              split_last_block=True),
                head=dict(type='BBNHead', num_classes=classes,
                          in_channels=4096),
                data_preprocessor=dict(mean=[123.7, 116.3, 103.5],
                                       std=[58.4, 57.1, 57.4],
                                       to_rgb=True)),
            optim_wrapper=dict(optimizer=dict(
                type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4,
                nesterov=True))))
        model_cfg = cfg.model
    else:
        cfg = Config.fromfile(cfg_path)
        model_cfg = cfg.model
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
        if classes:
            model_cfg.head.num_classes = classes
            model_cfg.data_preprocessor.num_classes = classes
    num_classes = model_cfg.head.num_classes
    model = MODELS.build(model_cfg).to(device)
    model.init_weights()
    model.train()
    model.head.alpha = 0.5
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    params = sum(p.numel() for p in model.parameters())

    def batch_of(seed):
        data = loader_batch(batch, num_classes, seed)
        if side != 32:
            data['inputs'] = torch.randint(0, 256, (batch, 3, side, side),
                                           dtype=torch.uint8)
        return data

    data = BranchPair(batch_of(0), batch_of(1))
    base = current_rss_mb()
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    # The first step allocates; not timed.
    times = time_calls(lambda: model.train_step(data, optim), steps + 1,
                       device)[1:]
    step = statistics.median(times)
    out = dict(params=params, batch=batch, side=side, classes=num_classes,
               step_s=step, images_per_s=2 * batch / step,
               state_mb=params * 4 * 3 / 2**20)
    if device.startswith('cuda'):
        out['peak_cuda_mb'] = torch.cuda.max_memory_allocated() / 2**20
    else:
        out['train_mb'] = rss_mb() - base
    return out


def main() -> None:
    """Run every case in its own process; print one line; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--cases', nargs='*', default=None)
    parser.add_argument('--out', default='scaling_benchmark.json')
    parser.add_argument('--one', default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        name, cfg, b, s, c = next(x for x in CASES if x[0] == args.one)
        print(json.dumps(run_case(cfg, b, s, c, args.steps, args.device)))
        return
    results = {}
    for name, *_ in CASES:
        if args.cases and name not in args.cases:
            continue
        results[name] = run_child(__file__, [
            '--one', name, '--steps', str(args.steps), '--device',
            args.device
        ])
    meta = dict(device=args.device, steps=args.steps,
                host=machine(args.device))
    mem = 'peak_cuda_mb' if args.device.startswith('cuda') else 'train_mb'
    parts = [f'{n} {r["step_s"]:.3f}s {r.get(mem, 0):.0f}MB'
             if 'step_s' in r else f'{n} failed' for n, r in results.items()]
    finish('scaling', dict(meta=meta, cases=results), parts, args.out)


if __name__ == '__main__':
    main()
