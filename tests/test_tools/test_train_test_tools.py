"""tools/train.py and tools/test.py as a user runs them."""
import glob
import json
import os.path as osp
import subprocess

import pytest

from ..conftest import CONFIGS, TOOLS

pytestmark = pytest.mark.slow

DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')


def run(python, *args, timeout=600):
    out = subprocess.run([python, *args], capture_output=True, text=True,
                         timeout=timeout)
    return out.returncode, out.stdout + out.stderr


def test_train_then_test_the_main_job_config(python, tmp_path):
    work = str(tmp_path / 'work')
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--work-dir', work, '--cfg-options',
                    'train_cfg.max_epochs=2', 'train_cfg.val_interval=1')
    assert code == 0, log[-3000:]
    # The run ends with top-1, per-class accuracy and best/last.
    assert 'Per-class top-1 (%), by training count:' in log
    assert '0 n=124:' in log and '9 n=6:' in log
    assert 'lt/top1: last' in log
    assert 'alpha: 1.0000' in log and 'alpha: 0.7500' in log
    ckpt = osp.join(work, 'epoch_2.pth')
    assert osp.exists(ckpt)

    code, log = run(python, osp.join(TOOLS, 'test.py'), DIGITS_BBN, ckpt,
                    '--work-dir', str(tmp_path / 'test'), '--plot-per-class')
    assert code == 0, log[-3000:]
    result = glob.glob(str(tmp_path / 'test' / '*' / 'long_tail_test.json'))
    assert result
    saved = json.load(open(result[0]))
    assert saved['num_test_images'] == 500
    assert saved['train_class_counts'][0] == 124
    plot = osp.join(osp.dirname(result[0]), 'per_class_accuracy.png')
    assert f'Per-class accuracy plot written to {plot}' in log
    assert osp.getsize(plot) > 10000

    # alpha over the run just trained, from its work dir's scalar log.
    code, log = run(python, osp.join(TOOLS, 'analysis_tools', 'plot_alpha.py'),
                    work, '--out', str(tmp_path / 'alpha.png'))
    assert code == 0, log[-3000:]
    assert 'vis_data/scalars.json written to' in log
    assert osp.getsize(tmp_path / 'alpha.png') > 10000


def test_bad_config_value_fails_before_training(python, tmp_path):
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--work-dir', str(tmp_path), '--cfg-options',
                    'train_dataloader.dataset.dataset.imbalance_factor=0.5')
    assert code != 0
    assert 'imbalance_factor=0.5 is below 1' in log
    assert 'Epoch(train)' not in log
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--work-dir', str(tmp_path), '--cfg-options',
                    'custom_hooks.0.schedule=quadratic')
    assert code != 0 and "schedule='quadratic'" in log
    assert 'Epoch(train)' not in log
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--work-dir', str(tmp_path), '--cfg-options',
                    'train_dataloader.sampler.rebalance=inverse')
    assert code != 0 and "rebalance='inverse'" in log


def test_channels_last_flag_trains_and_tests_alike(python, tmp_path):
    work = str(tmp_path / 'work')
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--channels-last', '--work-dir', work, '--cfg-options',
                    'train_cfg.max_epochs=1')
    assert code == 0, log[-3000:]
    # BBN ResNet-32: 29 convolutions in the shared trunk, 2 in each
    # branch's last block.
    assert ('ChannelsLastHook: 33 convolution weights and every input '
            'batch in channels-last (NHWC)') in log
    dumped = open(glob.glob(osp.join(work, '*.py'))[0]).read()
    assert dumped.count("type='ChannelsLastHook'") == 1
    ckpt = osp.join(work, 'epoch_1.pth')

    top1 = {}
    for flag in ('--channels-last', None):
        out = tmp_path / f'test{bool(flag)}'
        code, log = run(python, osp.join(TOOLS, 'test.py'), DIGITS_BBN, ckpt,
                        '--work-dir', str(out), *([flag] if flag else []))
        assert code == 0, log[-3000:]
        assert ('ChannelsLastHook' in log) == bool(flag)
        saved = glob.glob(str(out / '*' / 'long_tail_test.json'))
        top1[flag] = json.load(open(saved[0]))['summary']['top1']
    # The same numbers up to float reordering: at most one test image of
    # 500 may change its top-1 class.
    assert abs(top1['--channels-last'] - top1[None]) <= 0.2 + 1e-9
