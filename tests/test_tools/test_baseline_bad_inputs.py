"""Bad settings of the baselines stop tools/train.py before training."""
import os.path as osp
import subprocess

import pytest

from ..conftest import CONFIGS, TOOLS

pytestmark = pytest.mark.slow

CE_DRW = osp.join(CONFIGS, 'baselines', 'ce_drw',
                  'ce-drw_resnet32_1xb32-200e_digits-lt.py')


def train(python, tmp_path, *options):
    out = subprocess.run(
        [python, osp.join(TOOLS, 'train.py'), CE_DRW, '--work-dir',
         str(tmp_path), '--cfg-options', *options],
        capture_output=True, text=True, timeout=300)
    return out.returncode, out.stdout + out.stderr


def test_beta_outside_the_unit_interval(python, tmp_path):
    code, log = train(python, tmp_path, 'model.head.loss.beta=1.5')
    assert code != 0
    assert ('ValueError: ReweightedCrossEntropyLoss: beta=1.5 is not in '
            '(0, 1)') in log
    assert 'Epoch(train)' not in log


def test_switch_epoch_past_the_end(python, tmp_path):
    code, log = train(python, tmp_path, 'custom_hooks.0.switch_epoch=200')
    assert code != 0
    assert ('ValueError: DeferredReweightingHook: switch_epoch=200 is past '
            'the end of training (max_epochs=200)') in log
    assert 'Epoch(train)' not in log
