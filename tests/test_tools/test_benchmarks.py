"""The speed benchmarks of tools/benchmarks/ at toy sizes.

They are measured by running them, never here; these tests only check
that each one runs end to end, prints its one-line summary and writes
JSON whose ratios are the ratios of its own numbers.
"""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmbbn.structures import BranchPair
from ..conftest import TOOLS

BENCH = osp.join(TOOLS, 'benchmarks')


def run(script, *args, cwd):
    proc = subprocess.run(
        [sys.executable, '-W', 'ignore', osp.join(BENCH, script), *args],
        capture_output=True, text=True, cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


def test_step_benchmark_ratios_are_its_medians(tmp_path):
    out = tmp_path / 'step.json'
    line = run('step_benchmark.py', '--batch-size', '4', '--steps', '2',
               '--repeats', '1', '--warmup', '1', '--out', str(out),
               cwd=str(tmp_path))
    assert line.startswith('step B=4 cpu: bbn_two_pass') and str(out) in line
    result = json.loads(out.read_text())
    med = {k: v['median_s'] for k, v in result['variants'].items()}
    assert set(med) == {'bbn_two_pass', 'bbn_joint', 'ce_b', 'ce_2b',
                        'torch_bbn', 'bbn_two_pass_cl', 'ce_b_cl'}
    ratios = result['ratios']
    assert ratios['two_pass_over_two_ce_b'] == pytest.approx(
        med['bbn_two_pass'] / (2 * med['ce_b']))
    assert ratios['joint_over_two_pass'] == pytest.approx(
        med['bbn_joint'] / med['bbn_two_pass'])
    assert ratios['two_pass_over_two_pass_cl'] == pytest.approx(
        med['bbn_two_pass'] / med['bbn_two_pass_cl'])
    assert result['variants']['bbn_two_pass']['images_per_step'] == 8


def test_iteration_benchmark_loader_cost_on_synthetic_cifar(tmp_path):
    out = tmp_path / 'iteration.json'
    line = run('iteration_benchmark.py', '--skip-runner', '--workers', '1',
               '--loader-batches', '2', '--out', str(out), cwd=str(tmp_path))
    assert line.startswith('iteration: loader cost s/batch bbn')
    result = json.loads(out.read_text())
    cost = result['loader_cost_s_per_batch']
    # The default batch: 128 pairs against 128 items.
    assert result['loader_images_per_batch'] == dict(bbn=256, ce=128)
    assert result['pair_over_single'] == pytest.approx(cost['bbn'] /
                                                       cost['ce'])
    # A pair is two items: it cannot cost less than about one.
    assert result['pair_over_single'] > 1.2
    draw = result['rebalanced_draw']
    assert draw['us_per_draw'] > 0 and draw['build_s'] > 0


def load_iteration_benchmark():
    spec = importlib.util.spec_from_file_location(
        'iteration_benchmark', osp.join(BENCH, 'iteration_benchmark.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_endless_loader_keeps_its_own_batches_past_an_epoch():
    bench = load_iteration_benchmark()
    # Built in a loop, as the benchmark builds its loaders: each must go on
    # with its own data after its first epoch (a generator expression
    # there once switched the BBN loader over to the CE one).
    loaders = {}
    for name, data in (('pairs', ['p1', 'p2']), ('items', ['i1'])):
        loaders[name] = bench.endless(data)
    assert [next(loaders['pairs']) for _ in range(5)] == [
        'p1', 'p2', 'p1', 'p2', 'p1']
    assert [next(loaders['items']) for _ in range(2)] == ['i1', 'i1']


def test_batch_images_counts_both_halves_of_a_pair():
    bench = load_iteration_benchmark()
    single = dict(inputs=torch.zeros(3, 3, 8, 8), data_samples=[None] * 3)
    assert bench.batch_images(single) == 3
    assert bench.batch_images(BranchPair(single, single)) == 6


def test_scaling_benchmark_one_case(tmp_path):
    out = tmp_path / 'scaling.json'
    line = run('scaling_benchmark.py', '--cases', 'r32_b16_s32_c10',
               '--steps', '1', '--out', str(out), cwd=str(tmp_path))
    assert line.startswith('scaling: r32_b16_s32_c10 ')
    case = json.loads(out.read_text())['cases']['r32_b16_s32_c10']
    assert (case['batch'], case['side'], case['classes']) == (16, 32, 10)
    # BBN ResNet-32 for CIFAR-10: 537,488 + the 128 x 10 classifier.
    assert case['params'] == 537488 + 1290
    assert case['images_per_s'] == pytest.approx(32 / case['step_s'])


def load(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(BENCH, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, BENCH)
    spec.loader.exec_module(module)
    return module


def test_harness_interleaves_variants_and_summarises_rounds(
        tmp_path, capsys):
    harness = load('harness')
    order = []
    calls = {name: (lambda n=name: order.append(n)) for name in 'ab'}
    samples = harness.interleaved(calls, rounds=3, per_round=2, warmup=1)
    # Warm-up once each, then round by round, 2 calls of each in turn.
    assert order == ['a', 'b'] + ['a', 'a', 'b', 'b'] * 3
    assert [len(r) for r in samples['a']] == [2, 2, 2]
    summary = harness.summarise([[1.0, 3.0], [2.0, 2.0], [5.0, 6.0]])
    assert summary['median_s'] == 2.5
    assert summary['repeat_medians_s'] == [2.0, 2.0, 5.5]
    assert summary['spread_s'] == 3.5
    host = harness.machine('cpu')
    assert host['cores'] >= 1 and host['torch'] == torch.__version__
    out = tmp_path / 'r.json'
    line = harness.finish('x', dict(a=1), ['p', 'q'], str(out))
    assert line == f'x: p | q -> {out}'
    assert capsys.readouterr().out.strip() == line
    assert json.loads(out.read_text()) == dict(a=1)


@pytest.mark.slow
def test_epoch_benchmark_item_against_device_path(tmp_path):
    out = tmp_path / 'epoch.json'
    line = run('epoch_benchmark.py', '--synthetic', '30', '--epochs', '2',
               '--methods', 'ce', '--variants', 'item', 'device',
               '--workers', '0', '--out', str(out), cwd=str(tmp_path))
    assert line.startswith('epoch cpu: ce epoch+eval: item ')
    result = json.loads(out.read_text())
    runs = result['runs']['ce']
    for variant in ('item', 'device'):
        assert len(runs[variant]['train_s']) == 2
        assert len(runs[variant]['val_s']) == 2
    rows = result['summary']['ce']
    # The steady epoch is the second; the ratio is of the benchmark's own
    # numbers.
    assert rows['device']['train_epoch_s'] == runs['device']['train_s'][1]
    assert rows['device']['train_over_item'] == pytest.approx(
        rows['device']['train_epoch_s'] / rows['item']['train_epoch_s'])
    assert rows['item']['iters_per_epoch'] == rows['device'][
        'iters_per_epoch']
    assert result['best_device_variant'] is None  # BBN decides; not run
    assert result['host']['device'] == 'cpu'


def test_gpu_run_lists_issue_12_runs_with_the_if100_row_first():
    gpu = load('cifar10_lt_gpu_run')
    runs = gpu.paper_runs()
    names = [r['name'] for r in runs]
    assert len(names) == len(set(names)) == 3 * 3 + 3 * 2
    assert all(r['imbalance_factor'] == 100 for r in runs[:9])
    assert {(r['method'], r['seed']) for r in runs[:9]} == {
        (m, s) for m in ('bbn', 'ce', 'ce_drw') for s in (0, 1, 2)}
    assert [r['imbalance_factor'] for r in runs[9:]] == [50] * 3 + [10] * 3
    for r in runs:
        assert osp.exists(osp.join(osp.dirname(TOOLS), r['config']))
    assert 'bbn-schedule' in runs[2]['config']


def test_gpu_run_skips_the_runs_earlier_calls_finished(tmp_path):
    gpu = load('cifar10_lt_gpu_run')
    done = tmp_path / 'runs1.jsonl'
    done.write_text(json.dumps(dict(name='bbn_ir100_s0', finished=True)) +
                    '\n' + json.dumps(dict(name='ce_ir100_s0',
                                           finished=False)) + '\n')
    assert gpu.done_names([str(tmp_path / 'runs*.jsonl')]) == {
        'bbn_ir100_s0'}


@pytest.mark.slow
def test_gpu_run_smoke_on_the_cpu(tmp_path):
    out = tmp_path / 'out'
    line = run('cifar10_lt_gpu_run.py', 'smoke', str(out), '--budget',
               '1500', cwd=str(tmp_path))
    assert line.startswith('gpu_run: ')
    files = sorted(p.name for p in out.iterdir())
    # What a device call can return: at most 8 files, no folders.
    assert len(files) <= 8 and all((out / f).is_file() for f in files)
    assert {'summary.json', 'runs.jsonl', 'epoch_benchmark.json'} <= set(
        files)
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['targets']['variant'] == 'device'
    assert set(summary['targets']['targets']) == {'bbn', 'ce'}
    paths = summary['targets']['paths']
    assert paths['device']['last'] and paths['item']['last']
    records = [json.loads(x) for x in (out / 'runs.jsonl').read_text()
               .splitlines()]
    by_name = {r['name']: r for r in records}
    # The targets' 2-epoch runs are issue 12's IF 100 seed-0 runs; the
    # runs mode then skips them and does what is left of its list, two at
    # once, on the fast path the targets chose.
    assert by_name['bbn_ir100_s0']['finished']
    assert by_name['bbn_ir100_s0']['last']['epoch'] == 2
    assert 'bbn_ir100_s0' in summary['runs']['done_before']
    assert sorted(summary['runs']['finished']) == ['bbn_ir50_s0',
                                                   'ce_ir50_s0']
    assert summary['runs']['variant'] == 'device'
    assert {'bbn_ir100_s0.pth', 'ce_ir100_s0.pth'} <= set(files)
    for record in records:
        assert record['finished'], record.get('tail')
        # The experiment files' record (tools/utils/results.py).
        assert 'lt/top1' in record['last'] and 'epoch' in record['best']
        assert record['train']['loss'] and record['config'].endswith('.py')
