"""tools/analysis_tools/*.py as a user runs them."""
import json
import os
import os.path as osp
import runpy
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from PIL import Image

from mmbbn.evaluation import LongTailMetric
from ..conftest import CONFIGS, TOOLS

DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')


def tool(name):
    return osp.join(TOOLS, 'analysis_tools', name)


def assert_picture(path):
    image = np.asarray(Image.open(path).convert('L'), np.float64)
    assert image.shape[1] > 300 and image.std() > 10, path


def run_in_process(monkeypatch, capsys, *argv) -> str:
    """A tool's command line in this interpreter (its imports are done)."""
    monkeypatch.setattr(sys, 'argv', list(argv))
    runpy.run_path(argv[0], run_name='__main__')
    return capsys.readouterr().out


def test_result_plot_tools(tmp_path, monkeypatch, capsys):
    metric = LongTailMetric(train_class_counts=[124, 88, 63, 45, 32, 23, 16,
                                                12, 8, 6])
    metric.dataset_meta = dict(classes=[str(d) for d in range(10)])
    metric.out_file = str(tmp_path / 'long_tail_test.json')
    scores = torch.softmax(torch.tensor(
        np.random.default_rng(0).normal(0, 3, (50, 10))), 1)
    metric.process(None, [dict(pred_score=s, gt_label=torch.tensor([i % 10]))
                          for i, s in enumerate(scores)])
    metric.evaluate(50)
    out = run_in_process(monkeypatch, capsys, tool('plot_per_class.py'),
                         metric.out_file)
    default = tmp_path / 'per_class_accuracy.png'
    assert f'per-class accuracy plot written to {default}' in out
    assert_picture(default)
    out = run_in_process(monkeypatch, capsys, tool('plot_reliability.py'),
                         metric.out_file, '--out', str(tmp_path / 'r.png'))
    assert f'reliability diagram written to {tmp_path / "r.png"}' in out
    assert_picture(tmp_path / 'r.png')


@pytest.mark.slow
def test_class_distribution_tool_builds_the_configured_set(python,
                                                           tmp_path):
    out = subprocess.run(
        [python, tool('plot_class_distribution.py'), DIGITS_BBN, '--out',
         str(tmp_path / 'dist.png')], capture_output=True, text=True,
        timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert ('class distribution of train (417 images, 10 classes) written '
            f'to {tmp_path / "dist.png"}') in out.stdout
    assert_picture(tmp_path / 'dist.png')


# Lines as MMEngine 0.10.7's LocalVisBackend writes them (vis_data/
# scalars.json) during a BBN run: training records, then a validation.
SCALARS = [
    {'lr': 0.05, 'data_time': 0.002, 'alpha': 1.0, 'loss': 2.65,
     'accuracy': 12.5, 'time': 0.1, 'epoch': 1, 'iter': 1, 'step': 1},
    {'lr': 0.05, 'data_time': 0.002, 'alpha': 1.0, 'loss': 2.31,
     'accuracy': 25.0, 'time': 0.1, 'epoch': 1, 'iter': 2, 'step': 2},
    {'lt/top1': 10.0, 'lt/top5': 50.0, 'lt/class_avg': 10.0,
     'lt/many': float('nan'), 'lt/few': 16.7, 'step': 1},
    {'lr': 0.005, 'data_time': 0.004, 'alpha': 0.75, 'loss': 1.9,
     'accuracy': 31.25, 'time': 0.1, 'epoch': 2, 'iter': 3, 'step': 3},
    {'lr': 0.005, 'data_time': 0.004, 'alpha': 0.75, 'loss': 1.7,
     'accuracy': 37.5, 'time': 0.1, 'epoch': 2, 'iter': 4, 'step': 4},
    {'lt/top1': 30.0, 'lt/top5': 70.0, 'lt/class_avg': 28.0,
     'lt/many': float('nan'), 'lt/few': 20.0, 'step': 2},
]


def write_run(run_dir, records):
    scalars = run_dir / 'vis_data' / 'scalars.json'
    scalars.parent.mkdir(parents=True)
    scalars.write_text(''.join(json.dumps(r) + '\n' for r in records))
    return scalars


def test_alpha_picture_names_the_run_it_reads(tmp_path, monkeypatch,
                                              capsys):
    work = tmp_path / 'work'
    old = write_run(work / '20261127_155157', SCALARS)
    new = write_run(work / '20261128_090000', SCALARS[:3])
    out = run_in_process(monkeypatch, capsys, tool('plot_alpha.py'),
                         str(work), '--out', str(tmp_path / 'a.png'))
    assert (f'plot_alpha: reading run {new.parent.parent} (the newest of 2 '
            f'runs in {work}; pass a run dir to read another)') in out
    assert f'alpha plot of {new} written to {tmp_path / "a.png"}' in out
    assert_picture(tmp_path / 'a.png')
    out = run_in_process(monkeypatch, capsys, tool('plot_alpha.py'),
                         str(old.parent.parent))
    assert f'plot_alpha: reading run {old.parent.parent}\n' in out
    assert_picture(old.parent.parent / 'alpha.png')


def test_alpha_picture_of_a_resumed_training_covers_every_run(tmp_path):
    # The second run resumed after epoch 1: the first run's epoch-2
    # records are replaced by the second's.
    first, second = tmp_path / '20261127_155157', tmp_path / '20261127_1602'
    write_run(first, SCALARS)
    later = [dict(r, loss=9.0) if 'loss' in r else dict(r, **{'lt/top1': 99})
             for r in SCALARS[3:]]
    write_run(second, later)
    (second / 'best_last.json').write_text(json.dumps(dict(
        unit='epoch', runs=[dict(log_dir=str(first), begin=0),
                            dict(log_dir=str(second), begin=1)])))
    sys.path.insert(0, TOOLS)
    from utils.records import run_scalars
    records, runs = run_scalars(str(second))
    assert runs == [str(first), str(second)]
    assert [(r.get('iter'), r.get('loss'), r.get('lt/top1'))
            for r in records] == [(1, 2.65, None), (2, 2.31, None),
                                  (None, None, 10.0), (3, 9.0, None),
                                  (4, 9.0, None), (None, None, 99)]


def test_bad_scalar_logs_are_one_line(tmp_path, monkeypatch, capsys):
    def fails(path, match):
        with pytest.raises(SystemExit, match=match):
            run_in_process(monkeypatch, capsys, tool('plot_alpha.py'),
                           str(path))

    fails(tmp_path / 'missing', 'plot_alpha: .*missing: no run with '
          r'vis_data/scalars.json \(a work dir holds one \{timestamp\}/ '
          r'folder per run\)')
    broken = write_run(tmp_path / '20261127_155157', [])
    broken.write_text('{"alpha": 1.0}\n{"alpha": \n')
    fails(broken, r'scalars.json:2: not a JSON record')
    broken.write_text('{"loss": 1.0, "iter": 1}\n')
    fails(broken, "no record has 'alpha'")


@pytest.mark.slow
def test_two_runs_in_one_work_dir_keep_their_own_records(
        cifar10_tiny, tmp_path, monkeypatch, capsys):
    # As tools/dist_train.sh without --work-dir: two runs of one config.
    from mmengine.runner import Runner

    from ..runner_cfg import tiny_bbn_cfg
    work = str(tmp_path / 'work')
    first = Runner.from_cfg(tiny_bbn_cfg(cifar10_tiny, work, max_epochs=1))
    first.train()
    files = sorted(os.listdir(first.log_dir))
    report = open(osp.join(first.log_dir, 'best_last.json')).read()
    per_class = open(osp.join(first.log_dir,
                              'long_tail_val_epoch_1.json')).read()
    while time.strftime('%Y%m%d_%H%M%S') == first.timestamp:
        time.sleep(0.1)
    second = Runner.from_cfg(tiny_bbn_cfg(cifar10_tiny, work, max_epochs=1,
                                          randomness=dict(seed=1)))
    second.train()
    assert second.log_dir != first.log_dir
    # The first run's records are untouched; the second has its own.
    assert sorted(os.listdir(first.log_dir)) == files
    assert open(osp.join(first.log_dir, 'best_last.json')).read() == report
    assert open(osp.join(first.log_dir,
                         'long_tail_val_epoch_1.json')).read() == per_class
    for runner in (first, second):
        own = json.load(open(osp.join(runner.log_dir, 'best_last.json')))
        assert own['runs'] == [dict(log_dir=runner.log_dir, begin=0)]
        assert [h['epoch'] for h in own['history']] == [1]

    # Tools given the work dir say which run they read; a run dir picks.
    out = run_in_process(monkeypatch, capsys, tool('plot_alpha.py'), work,
                         '--out', str(tmp_path / 'a.png'))
    assert (f'reading run {second.log_dir} (the newest of 2 runs in '
            f'{work}') in out
    out = run_in_process(monkeypatch, capsys, tool('plot_alpha.py'),
                         first.log_dir, '--out', str(tmp_path / 'b.png'))
    assert f'reading run {first.log_dir}\n' in out
    out = run_in_process(
        monkeypatch, capsys, osp.join(TOOLS, 'benchmarks',
                                      'summarize_runs.py'),
        work, first.log_dir, '--out', str(tmp_path / 's.json'))
    assert (f'{work}: reading run {second.log_dir} (the newest of 2 runs'
            in out)
    assert f'{first.log_dir}: reading run {first.log_dir}; last top-1' in out

    # Each run becomes one record of an experiment file.
    experiment = str(tmp_path / 'exp.jsonl')
    record_run = runpy.run_path(tool('record_run.py'))['main']
    for runner, seed in ((first, 0), (second, 1)):
        assert record_run([runner.log_dir, experiment, '--config',
                           DIGITS_BBN, '--method', 'tiny-bbn']) == 0
        out = capsys.readouterr().out
        assert (f'record_run: reading run {runner.log_dir}; tiny-bbn seed '
                f'{seed}: last top-1') in out
    sys.path.insert(0, TOOLS)
    from utils.results import load_experiment, methods_table
    _, runs = load_experiment(experiment)
    assert [(r['method'], r['seed']) for r in runs] == [('tiny-bbn', 0),
                                                        ('tiny-bbn', 1)]
    for record, runner in zip(runs, (first, second)):
        own = json.load(open(osp.join(runner.log_dir, 'best_last.json')))
        assert record['last'] == own['last']
        assert record['val']['lt/top1'] == [own['last']['lt/top1']]
        assert record['train']['epoch'] == [1]
        assert record['train']['alpha'] == [1.0]
        assert record['wall_s'] > 0
    assert '| tiny-bbn | 0,1 |' in methods_table(runs)
