"""``mim train mmbbn`` / ``mim test mmbbn`` on a non-editable install."""
import glob
import json
import os.path as osp
import re
import sys

import pytest

from ..conftest import REPO
from ..launch_helpers import (DIGITS_BBN_NAME, assert_clean_exit,
                              installed_env, run)
from ..local_slurm import free_port

pytestmark = pytest.mark.slow

SHORT = ['--cfg-options', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1']


def mim(*args):
    return [sys.executable, '-m', 'mim', *args]


def test_the_wheel_carries_configs_tools_and_the_model_zoo(installed_mmbbn):
    mim_dir = osp.join(installed_mmbbn, 'mmbbn', '.mim')
    for path in ('model-index.yml', 'configs/bbn/metafile.yml',
                 f'configs/bbn/{DIGITS_BBN_NAME}', 'tools/train.py',
                 'tools/test.py', 'tools/launch.py', 'tools/preflight.py',
                 'tools/dist_train.sh', 'tools/slurm_train.sh'):
        assert osp.isfile(osp.join(mim_dir, path)), path
    assert glob.glob(osp.join(mim_dir, 'checkpoints', '*', '*.pth'))
    # Only the package is installed, not the test suite.
    assert not osp.exists(osp.join(installed_mmbbn, 'tests'))


def test_installed_model_zoo_resolves_from_mim_folder(installed_mmbbn,
                                                      tmp_path):
    script = (
        'import mmbbn, mmpretrain\n'
        'from mmpretrain.apis import ModelHub\n'
        "name = 'bbn_resnet32_1xb32-200e_digits-lt'\n"
        "print('OUT', len(mmpretrain.list_models('bbn*')))\n"
        'meta = ModelHub.get(name)\n'
        "print('OUT', meta.weights)\n"
        "print('OUT', meta.config.filename)\n"
        "mmpretrain.get_model(name, pretrained=True, device='cpu')\n")
    code, log = run([sys.executable, '-c', script],
                    env=installed_env(installed_mmbbn), cwd=str(tmp_path))
    assert code == 0, log[-3000:]
    lines = [line[4:] for line in log.splitlines() if line[:4] == 'OUT ']
    mim_dir = osp.join(installed_mmbbn, 'mmbbn', '.mim')
    bbn_configs = glob.glob(osp.join(REPO, 'configs', 'bbn', 'bbn_*.py'))
    assert lines[0] == str(len(bbn_configs))
    assert lines[1].startswith(osp.join(mim_dir, 'checkpoints', 'bbn', ''))
    assert lines[2] == osp.join(mim_dir, 'configs', 'bbn',
                                DIGITS_BBN_NAME)


def read_test_summary(work_dir):
    result = glob.glob(osp.join(work_dir, '*', 'long_tail_test.json'))
    assert result, f'no test result in {work_dir}'
    saved = json.load(open(result[0]))
    assert saved['num_test_images'] == 500
    return saved['summary']


def test_mim_train_two_processes_then_test_with_one_and_two(
        installed_mmbbn, tmp_path):
    env = installed_env(installed_mmbbn)
    installed = osp.join(installed_mmbbn, 'mmbbn', '.mim')
    work = str(tmp_path / 'train')
    # The config by name: mim finds it in the installed mmbbn/.mim.
    code, log = run(
        mim('train', 'mmbbn', DIGITS_BBN_NAME, '--launcher', 'pytorch',
            '--gpus', '2', '--port', str(free_port()), '--work-dir', work,
            '--channels-last', *SHORT),
        env=env, cwd=str(tmp_path))
    assert_clean_exit(code, log)
    assert f'will use {installed}/configs/bbn/{DIGITS_BBN_NAME}' in log
    assert f'{installed}/tools/train.py' in log
    # A world of two, 6 steps each (417 // (2 * 32); one process has 13).
    assert 'Distributed launcher: pytorch' in log
    assert 'GPU number: 2' in log
    assert re.search(r'Epoch\(train\) \[1\]\[6/6\]', log)
    # mim hands tools/train.py's own flags over; the hook reaches the model
    # inside its DDP wrapper.
    assert 'ChannelsLastHook: 33 convolution weights' in log

    ckpt = osp.join(work, 'epoch_1.pth')
    summary = {}
    for launcher, gpus in (('none', '1'), ('pytorch', '2')):
        out = str(tmp_path / f'test_{launcher}')
        code, log = run(mim('test', 'mmbbn', DIGITS_BBN_NAME, '--checkpoint',
                            ckpt, '--launcher', launcher, '--gpus', gpus,
                            '--port', str(free_port()), '--work-dir', out),
                        env=env, cwd=str(tmp_path))
        assert_clean_exit(code, log)
        assert 'Testing finished successfully' in log
        assert f'{installed}/tools/test.py' in log
        summary[launcher] = read_test_summary(out)
    # Two ranks each test half the split; gathered, the result is the same.
    for key in ('top1', 'top5', 'class_avg'):
        assert summary['none'][key] == summary['pytorch'][key], key
