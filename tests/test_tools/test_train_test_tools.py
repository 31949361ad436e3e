"""tools/train.py and tools/test.py as a user runs them."""
import glob
import json
import os.path as osp
import subprocess

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint

from mmbbn.registry import MODELS
from ..conftest import CONFIGS, TOOLS

pytestmark = pytest.mark.slow

DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')
DIGITS_CE = osp.join(CONFIGS, 'baselines', 'ce',
                     'resnet32_1xb32-200e_digits-lt.py')
PIN_WARNING = "'pin_memory' argument is set as true but no accelerator"


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
    # Pinned memory only where an accelerator exists.
    assert PIN_WARNING not in log
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


def one_line_failure(code, log, line):
    """Exit code != 0; ``line`` alone on its line; no traceback or dump."""
    assert code != 0, log[-3000:]
    assert line in log.splitlines(), log[-3000:]
    assert 'Traceback' not in log
    assert 'Epoch(train)' not in log


def test_mistyped_registry_name_fails_before_the_runner(python, tmp_path):
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--work-dir', str(tmp_path), '--cfg-options',
                    'train_dataloader.dataset.dataset.type=DigitLT')
    one_line_failure(code, log, (
        f"train.py: error: {DIGITS_BBN}: "
        "train_dataloader.dataset.dataset.type='DigitLT' is not a registered "
        "name in scope 'mmpretrain'; closest registered: DigitsLT"))
    # Before the Runner prints its environment.
    assert 'System environment' not in log
    code, log = run(python, osp.join(TOOLS, 'test.py'), DIGITS_BBN,
                    'missing.pth', '--work-dir', str(tmp_path),
                    '--cfg-options', 'test_evaluator.type=LongTailMetrik')
    one_line_failure(code, log, (
        f"test.py: error: {DIGITS_BBN}: test_evaluator.type='LongTailMetrik'"
        " is not a registered name in scope 'mmpretrain'; closest "
        # Not LongTailSubset: suggestions are about as close as the best.
        'registered: LongTailMetric, LongTailMetricHook'))


def test_amp_without_a_gpu_fails_in_one_line(python, tmp_path):
    from mmengine.device import is_cuda_available
    if is_cuda_available():
        pytest.skip('this machine can train with --amp')
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_BBN,
                    '--amp', '--work-dir', str(tmp_path))
    one_line_failure(code, log, (
        f"train.py: error: {DIGITS_BBN}: optim_wrapper.type="
        "'AmpOptimWrapper' (--amp or an -amp- config): MMEngine runs mixed "
        'precision on a GPU (CUDA, NPU, MLU or MUSA) and this machine has '
        'none; train without --amp, with a config without -amp-'))
    assert 'System environment' not in log


def test_help_imports_neither_torch_nor_mmbbn(python):
    """Parse first, import after: --help answers without the stack."""
    for tool in ('train.py', 'test.py'):
        script = (
            'import runpy, sys\n'
            f'sys.argv = [{tool!r}, "--help"]\n'
            'try:\n'
            f'    runpy.run_path({osp.join(TOOLS, tool)!r}, '
            "run_name='__main__')\n"
            'except SystemExit:\n'
            '    pass\n'
            "print('LOADED', sorted(m for m in ('torch', 'mmbbn', "
            "'mmpretrain') if m in sys.modules))\n")
        code, log = run(python, '-c', script)
        assert code == 0, log
        assert '--allow-partial' in log
        assert 'LOADED []' in log, log


@pytest.fixture(scope='module')
def bbn_checkpoint(tmp_path_factory):
    """A checkpoint of the BBN Digits-LT model, as MMEngine writes one."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(Config.fromfile(DIGITS_BBN).model)
    path = str(tmp_path_factory.mktemp('bbn') / 'bbn.pth')
    save_checkpoint({'state_dict': model.state_dict(),
                     'meta': {'epoch': 1}}, path)
    return path


def test_checkpoint_of_another_model_is_refused(python, tmp_path,
                                                bbn_checkpoint):
    """A BBN checkpoint on the CE config: no chance-level top-1 with 0."""
    refused = (
        f'test.py: error: {bbn_checkpoint}: not a checkpoint of the model of '
        f"{DIGITS_CE}: 10 missing (first 'backbone.layer3.4.conv1.weight'), "
        "24 unexpected (first 'neck.conventional.conv1.weight'), 1 of "
        "another shape (first 'head.fc.weight': [10, 128] in the "
        'checkpoint, [10, 64] in the model); use the config it was trained '
        "with, or start from part of it with the model's init_cfg "
        "(dict(type='Pretrained', checkpoint=..., prefix=...) or "
        "dict(type='BBNPretrained', ...)); --allow-partial loads what fits")
    code, log = run(python, osp.join(TOOLS, 'test.py'), DIGITS_CE,
                    bbn_checkpoint, '--work-dir', str(tmp_path / 'test'))
    one_line_failure(code, log, refused)
    assert 'Epoch(test)' not in log and 'Per-class top-1' not in log
    # Documented way out: MMEngine's partial load, with its warning.
    code, log = run(python, osp.join(TOOLS, 'test.py'), DIGITS_CE,
                    bbn_checkpoint, '--work-dir', str(tmp_path / 'partial'),
                    '--allow-partial')
    assert code == 0, log[-3000:]
    assert 'The model and loaded state dict do not match exactly' in log
    assert 'Per-class top-1 (%), by training count:' in log
    # load_from in training promises the whole model too.
    code, log = run(python, osp.join(TOOLS, 'train.py'), DIGITS_CE,
                    '--work-dir', str(tmp_path / 'train'), '--cfg-options',
                    f'load_from={bbn_checkpoint}')
    one_line_failure(code, log, 'train.py' + refused[len('test.py'):])
