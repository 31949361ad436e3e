"""The prepared GPU call: issue 11's benchmark and targets, issue 12's runs.

Modes (each fits one device call; see docs/speed.md for the exact launch):

``targets OUT``
    1. CIFAR-10 unpacked from ``.gpu/`` (the JPEG archive and its
       converter, carried in).
    2. ``epoch_benchmark.py`` on the device: BBN and CE, the per-item path
       against the device-resident variants.
    3. 200-epoch BBN and CE ResNet-32 on CIFAR-10-LT IF 100, evaluation
       every epoch, through the fastest device variant of step 2 (targets:
       BBN <= 120 s, CE <= 60 s of wall time, process start to exit).
    4. 30-epoch BBN on both paths x 2 seeds, all four at once: top-1 of the
       two paths against the seed spread.
``runs OUT``
    Issue 12.2's runs (ResNet-32, 200 epochs, batch 128: BBN, CE and
    CE-DRW on BBN's schedule at IF 100, 50 and 10; seeds 0, 1, 2 at IF 100,
    seed 0 elsewhere; the IF 100 row first) through the fast path,
    ``--parallel`` at a time, skipping runs already recorded (``--done``),
    starting only those that can finish within ``--budget``.
``smoke OUT``
    Both modes on tiny generated data on the CPU, a few epochs (a test
    runs it).

Everything lands compactly in OUT (a device call returns at most 8
files): ``summary.json`` (what was measured and decided), ``runs.jsonl``
(one record per run, in the format of the experiment files,
``tools/utils/results.py``: last and best with many/medium/few and ECE,
per-epoch top-1, loss, alpha, lr; wall time; the call's facts),
``epoch_benchmark.json`` (targets), the last-epoch checkpoints of the
IF 100 seed-0 runs (runs), and ``log.txt`` if the launch tees into it.
Work dirs live in a temporary folder.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
sys.path.insert(0, HERE)
from epoch_benchmark import GPU_VARIANTS, configure  # noqa: E402
from harness import machine, synthetic_cifar  # noqa: E402

sys.path.insert(0, osp.dirname(HERE))  # tools/: the run-record format
from utils.results import method_label, record_run_dir  # noqa: E402

CARRY = osp.join(REPO, '.gpu')
BBN = 'configs/bbn/bbn_resnet32_1xb128-200e_cifar10-lt-ir{}.py'
CE = 'configs/baselines/ce/resnet32_1xb128-200e_cifar10-lt-ir{}.py'
CE_DRW = ('configs/baselines/ce_drw/'
          'ce-drw_resnet32_1xb128-200e-bbn-schedule_cifar10-lt-ir{}.py')
METHODS = dict(bbn=BBN, ce=CE, ce_drw=CE_DRW)


def paper_runs() -> List[dict]:
    """Issue 12.2's runs in launch order: the IF 100 row (3 seeds) first."""
    return [
        paper_run(method, ir, seed)
        for ir, seeds in ((100, (0, 1, 2)), (50, (0, )), (10, (0, )))
        for seed in seeds for method in METHODS
    ]


def earlier_variant() -> Optional[str]:
    """The fast-path variant an earlier ``targets`` call chose, if carried
    back into ``.gpu/`` (``summary*.json``)."""
    for path in sorted(glob.glob(osp.join(CARRY, 'summary*.json'))):
        with open(path) as f:
            variant = json.load(f).get('variant')
        if variant:
            return variant
    return None


class Clock:
    """Seconds since the start, and what is left of the budget."""

    def __init__(self, budget: float) -> None:
        self.start = time.time()
        self.budget = budget

    def elapsed(self) -> float:
        return time.time() - self.start

    def left(self) -> float:
        return self.budget - self.elapsed()


def log(message: str) -> None:
    print(f'[{time.strftime("%H:%M:%S")}] {message}', flush=True)


def prepare_data(args) -> str:
    """CIFAR-10 in the pickle layout: given, unpacked from .gpu, or made."""
    if args.mode == 'smoke':
        return synthetic_cifar(osp.join(args.tmp, 'cifar10'), 200, 10)
    if osp.isdir(osp.join(args.data_root, 'cifar-10-batches-py')):
        return args.data_root
    target = osp.join(CARRY, 'data', 'cifar10')
    if not osp.isdir(osp.join(target, 'cifar-10-batches-py')):
        archive = osp.join(CARRY, 'cifar10-jpeg.tar.gz')
        tool = osp.join(CARRY, 'cifar10_jpeg_to_batches.py')
        for path in (archive, tool):
            if not osp.exists(path):
                sys.exit(f'cifar10_lt_gpu_run: {path} is missing; carry '
                         '.gpu/ prepared as docs/speed.md says')
        start = time.time()
        subprocess.run([sys.executable, tool, target, '--archive', archive],
                       check=True)
        log(f'CIFAR-10 unpacked in {time.time() - start:.1f} s')
    return target


def launch(name: str, config: str, args, epochs: int, variant: str,
           seed: int = 0, **facts) -> dict:
    """Start ``tools/train.py`` on a shipped config switched to ``variant``.

    Returns:
        dict: ``name``, ``proc``, ``work_dir``, ``start`` and the run's
        facts.
    """
    work_dir = osp.join(args.work, name)
    os.makedirs(work_dir, exist_ok=True)
    cfg = configure(osp.join(REPO, config), variant, args.data, work_dir,
                    epochs, args.device, args.workers, seed,
                    checkpoint=True)
    dumped = osp.join(work_dir, 'config.py')
    cfg.dump(dumped)
    stdout = open(osp.join(work_dir, 'stdout.txt'), 'w')
    proc = subprocess.Popen(
        [sys.executable, '-W', 'ignore', osp.join(REPO, 'tools', 'train.py'),
         dumped, '--work-dir', work_dir],
        cwd=REPO, stdout=stdout, stderr=subprocess.STDOUT,
        start_new_session=True)
    return dict(name=name, config=config, variant=variant, seed=seed,
                epochs=epochs, proc=proc, work_dir=work_dir,
                start=time.time(), **facts)


def wait(run: dict, timeout: Optional[float]) -> dict:
    """Wait for a launched run (stopped at ``timeout``); its record."""
    try:
        run['proc'].wait(timeout=max(timeout, 1) if timeout else None)
    except subprocess.TimeoutExpired:
        os.killpg(run['proc'].pid, signal.SIGTERM)
        run['proc'].wait()
        run['stopped'] = True
    return finish_record(run)


def finish_record(run: dict) -> dict:
    """The record of an ended run, in the experiment files' format.

    ``tools/utils/results.py``'s record of the run dir (last and best with
    every ``lt/`` figure, per-epoch top-1, loss, lr and alpha) with the
    call's facts: ``name``, ``variant``, ``imbalance_factor``, ``exit``,
    ``finished`` (and the output's tail where it did not finish).
    """
    facts = dict(name=run['name'], variant=run['variant'],
                 imbalance_factor=run.get('imbalance_factor'),
                 exit=run['proc'].returncode)
    wall = time.time() - run['start']
    try:
        record, _ = record_run_dir(run['work_dir'],
                                   method_label(run['config']), run['seed'],
                                   run['config'], wall, **facts)
    except (FileNotFoundError, KeyError, TypeError, ValueError) as e:
        record = dict(method=method_label(run['config']), seed=run['seed'],
                      config=run['config'], wall_s=round(wall, 1),
                      error=f'{type(e).__name__}: {e}', **facts)
    last = record.get('last') or {}
    record['finished'] = (facts['exit'] == 0 and not run.get('stopped')
                          and last.get('epoch') == run['epochs'])
    if not record['finished']:
        with open(osp.join(run['work_dir'], 'stdout.txt')) as f:
            record['tail'] = f.read()[-1500:]
    return record


def append(path: str, record: dict) -> None:
    with open(path, 'a') as f:
        f.write(json.dumps(record) + '\n')


def benchmark(args, clock: Clock) -> dict:
    """The epoch benchmark on the device, BBN then CE, as processes."""
    results = {}
    for method, variants in (('bbn', args.bench_variants),
                             ('ce', args.bench_ce_variants)):
        if not variants:
            continue
        out = osp.join(args.tmp, f'epoch_{method}.json')
        cmd = [sys.executable, '-W', 'ignore',
               osp.join(HERE, 'epoch_benchmark.py'), '--data-root',
               args.data, '--device', args.device, '--epochs',
               str(args.bench_epochs), '--workers', str(args.workers),
               '--out', out, '--timeout', str(args.bench_timeout),
               '--methods', method, '--variants', *variants]
        try:
            subprocess.run(cmd, cwd=REPO, check=True,
                           timeout=max(clock.left() - args.reserve, 60))
            with open(out) as f:
                results[method] = json.load(f)
        except (subprocess.SubprocessError, OSError) as e:
            log(f'epoch benchmark of {method} failed: {e}')
    if not results:
        return {}
    merged = dict(next(iter(results.values())))
    merged['runs'] = {m: r['runs'][m] for m, r in results.items()}
    merged['summary'] = {m: r['summary'][m] for m, r in results.items()}
    merged['best_device_variant'] = results.get('bbn', {}).get(
        'best_device_variant')
    with open(osp.join(args.out, 'epoch_benchmark.json'), 'w') as f:
        json.dump(merged, f, indent=1)
    return merged


def paper_run(method: str, ir: int, seed: int) -> dict:
    """The facts of one of issue 12.2's runs."""
    return dict(name=f'{method}_ir{ir}_s{seed}',
                config=METHODS[method].format(ir), method=method,
                imbalance_factor=ir, seed=seed)


def targets(args, clock: Clock) -> dict:
    """Issue 11's benchmark, 200-epoch targets and path comparison.

    The 200-epoch runs are issue 12.2's IF 100 seed-0 BBN and CE runs
    (same name and record, so ``runs`` mode skips them afterwards).
    """
    summary: Dict[str, object] = dict(mode='targets')
    bench = benchmark(args, clock)
    variant = args.variant or bench.get('best_device_variant') or 'device'
    summary['variant'] = variant
    summary['benchmark'] = bench.get('summary')
    log(f'fast path: {variant}')
    runs_file = osp.join(args.out, 'runs.jsonl')
    records = {}
    for method, limit in (('bbn', 120), ('ce', 60)):
        facts = paper_run(method, 100, 0)
        if clock.left() - args.reserve < 0.3 * limit:
            log(f'{facts["name"]}: no time left')
            continue
        run = launch(facts.pop('name'), facts.pop('config'), args,
                     args.long_epochs, variant, **facts)
        record = wait(run, clock.left() - args.reserve)
        record.update(target_s=limit,
                      met=record['finished'] and record['wall_s'] <= limit)
        append(runs_file, record)
        if record['finished']:
            keep_checkpoint(run, args.out)
        records[method] = record
        log(f'{record["name"]} ({args.long_epochs} epochs): '
            f'{record["wall_s"]} s, finished {record["finished"]}, '
            f'top-1 last {(record.get("last") or {}).get("lt/top1")}')
    summary['targets'] = {
        m: {k: r.get(k) for k in ('wall_s', 'target_s', 'met', 'last',
                                  'best')}
        for m, r in records.items()
    }
    # BBN on both paths x the seeds, all at once, a short schedule: as
    # many epochs (up to --short-epochs) as the per-item path fits in.
    epochs = short_epochs(args, clock, bench)
    summary['short_epochs'] = epochs
    if epochs:
        item = args.item_variant
        launched = [
            launch(f'bbn_ir100_{path}_{epochs}e_s{seed}',
                   METHODS['bbn'].format(100), args, epochs, path, seed,
                   method='bbn', imbalance_factor=100)
            for path in (variant, item) for seed in args.seeds
        ]
        compare = [wait(r, clock.left() - args.reserve / 2)
                   for r in launched]
        for record in compare:
            append(runs_file, record)
        summary['paths'] = path_comparison(compare, variant, item)
    return summary


def short_epochs(args, clock: Clock, bench: dict) -> int:
    """Epochs of the path comparison that fit in the time left."""
    item = (bench.get('summary') or {}).get('bbn', {}).get(
        args.item_variant, {})
    per_epoch = item.get('epoch_with_eval_s')
    if not per_epoch:
        return args.short_epochs
    # Two per-item runs at once share the workers' cores: ~1.3x slower.
    fit = int((clock.left() - args.reserve - 30) / (1.3 * per_epoch))
    return max(0, min(args.short_epochs, fit))


def path_comparison(records: List[dict], fast: str, item: str) -> dict:
    """Last and best top-1 of both paths; their gap and the seed spread."""
    out = {}
    for path in (fast, item):
        done = [r for r in records if r['variant'] == path and r['finished']]
        out[path] = dict(
            seeds=[r['seed'] for r in done],
            last=[r['last']['lt/top1'] for r in done],
            best=[r['best']['lt/top1'] for r in done],
            wall_s=[r['wall_s'] for r in done])
    a, b = out[fast]['last'], out[item]['last']
    if a and b:
        spread = [max(x) - min(x) for x in (a, b) if len(x) > 1]
        out['gap_last'] = statistics.mean(a) - statistics.mean(b)
        out['seed_spread_last'] = max(spread) if spread else None
        out['within_seed_noise'] = bool(spread) and abs(
            out['gap_last']) <= max(spread)
    return out


def done_names(patterns: List[str]) -> set:
    """Runs recorded as finished in earlier calls' ``runs.jsonl``."""
    names = set()
    for pattern in patterns:
        for path in glob.glob(pattern):
            with open(path) as f:
                for line in f:
                    if line.strip():
                        record = json.loads(line)
                        if record.get('finished'):
                            names.add(record['name'])
    return names


def runs(args, clock: Clock) -> dict:
    """Issue 12.2's runs: as many as can finish, ``--parallel`` at once."""
    runs_file = osp.join(args.out, 'runs.jsonl')
    done = done_names(args.done + [runs_file])
    todo = [r for r in paper_runs() if r['name'] not in done]
    if args.only:
        todo = [r for r in todo if r['name'] in args.only]
    variant = args.variant or earlier_variant() or 'device_cl_bf16'
    estimate = dict(args.estimate)
    running, records = [], []
    while todo or running:
        for run in list(running):
            if run['proc'].poll() is not None:
                running.remove(run)
                record = finish_record(run)
                records.append(record)
                append(runs_file, record)
                log(f'{record["name"]}: {record["wall_s"]} s, finished '
                    f'{record["finished"]}')
                method = run['method']
                if record['finished']:
                    estimate[method] = max(estimate.get(method, 0),
                                           record['wall_s'])
                    if run['seed'] == 0 and run['imbalance_factor'] == 100:
                        keep_checkpoint(run, args.out)
        while todo and len(running) < args.parallel:
            nxt = todo[0]
            need = estimate.get(nxt['method'], 200) * args.epochs / 200
            if clock.left() - args.reserve < need:
                break
            todo.pop(0)
            facts = dict(nxt)
            run = launch(facts.pop('name'), facts.pop('config'), args,
                         args.epochs, variant, **facts)
            running.append(run)
            log(f'{nxt["name"]}: started ({len(running)} running, '
                f'{clock.left():.0f} s left)')
        if todo and not running:
            break  # nothing more fits
        if clock.left() < args.reserve / 2:
            for run in running:
                os.killpg(run['proc'].pid, signal.SIGTERM)
                run['proc'].wait()
                run['stopped'] = True
                records.append(finish_record(run))
                append(runs_file, records[-1])
            running = []
            break
        time.sleep(2)
    skipped = [r['name'] for r in todo]
    return dict(mode='runs', variant=variant, epochs=args.epochs,
                done_before=sorted(done),
                finished=[r['name'] for r in records if r['finished']],
                unfinished=[r['name'] for r in records if not r['finished']],
                not_started=skipped)


def keep_checkpoint(run: dict, out: str) -> None:
    """Copy a run's last-epoch checkpoint into OUT."""
    found = sorted(glob.glob(osp.join(run['work_dir'], 'epoch_*.pth')),
                   key=lambda p: int(p.rsplit('_', 1)[1][:-4]))
    if found:
        shutil.copy(found[-1], osp.join(out, f'{run["name"]}.pth'))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('mode', choices=['targets', 'runs', 'smoke'])
    parser.add_argument('out')
    parser.add_argument('--budget', type=float, default=480,
                        help='seconds for the whole call (default 480)')
    parser.add_argument('--reserve', type=float, default=20,
                        help='seconds kept for writing the results')
    parser.add_argument('--device', default='cuda')
    parser.add_argument('--data-root', default='data/cifar10')
    parser.add_argument('--variant', default=None,
                        help='fast-path variant (default: the benchmark\'s '
                        'fastest; runs: device_cl_bf16)')
    parser.add_argument('--item-variant', default='item')
    parser.add_argument('--bench-variants', nargs='*', default=[
        'item', 'device', 'device_cl_bf16', 'device_cl_bf16_graphs'
    ], help=f'BBN variants of the benchmark (of {", ".join(GPU_VARIANTS)})')
    parser.add_argument('--bench-ce-variants', nargs='*',
                        default=['item', 'device_cl_bf16'])
    parser.add_argument('--workers', type=int, default=6,
                        help='loader workers of the per-item path')
    parser.add_argument('--bench-epochs', type=int, default=2)
    parser.add_argument('--bench-timeout', type=float, default=90)
    parser.add_argument('--long-epochs', type=int, default=200)
    parser.add_argument('--short-epochs', type=int, default=30)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--epochs', type=int, default=200,
                        help='runs mode: epochs per run')
    parser.add_argument('--parallel', type=int, default=3)
    parser.add_argument('--done', nargs='*',
                        default=[osp.join(CARRY, 'runs*.jsonl')],
                        help='runs.jsonl files of earlier calls')
    parser.add_argument('--only', nargs='*', default=None)
    parser.add_argument('--estimate', type=json.loads,
                        default={'bbn': 200, 'ce': 120, 'ce_drw': 120},
                        help='JSON: wall seconds of a 200-epoch run per '
                        'method when --parallel run at once')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    clock = Clock(args.budget)
    os.makedirs(args.out, exist_ok=True)
    args.tmp = tempfile.mkdtemp(prefix='gpu_run_')
    args.work = osp.join(args.tmp, 'work')
    if args.mode == 'smoke':
        args.device = 'cpu'
    args.data = prepare_data(args)
    summary = dict(host=machine(args.device), data=args.data,
                   budget_s=args.budget)
    if args.mode == 'smoke':
        sub = dict(bench_variants=['item', 'device'],
                   bench_ce_variants=[], bench_epochs=2, long_epochs=2,
                   short_epochs=1, seeds=[0], epochs=1, parallel=2,
                   reserve=5, bench_timeout=600, workers=1, done=[],
                   only=['bbn_ir100_s0', 'bbn_ir50_s0', 'ce_ir50_s0'])
        vars(args).update(sub)
        summary['targets'] = targets(args, clock)
        args.variant = summary['targets']['variant']
        summary['runs'] = runs(args, clock)
    elif args.mode == 'targets':
        summary.update(targets(args, clock))
    else:
        summary.update(runs(args, clock))
    summary['wall_s'] = round(clock.elapsed(), 1)
    with open(osp.join(args.out, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    shutil.rmtree(args.tmp, ignore_errors=True)
    print('gpu_run: ' + json.dumps({
        k: summary[k] for k in summary
        if k in ('variant', 'targets', 'paths', 'finished', 'not_started',
                 'wall_s')
    }))


if __name__ == '__main__':
    main()
