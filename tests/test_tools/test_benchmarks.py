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
