"""Kill and resume, another worker count, a rerun: the same weights.

``tools/train.py`` runs the shipped configs in subprocesses, with their
random transforms on (Digits-LT: random crop; CIFAR-LT: random crop and
flip; BBN pairs on Digits-LT, plain draws on CIFAR-LT), for 3 short
epochs. One run is killed by SIGKILL once its epoch-1 checkpoint is on
disk and resumed with ``--resume``; every state tensor at the end equals
that of an uninterrupted run (``torch.equal``), and so do those of a run
with 2 data loader workers and, at epoch 1, of the killed run (a rerun).

Why this fails without the draws' seeds: MMCV's ``RandomCrop`` and
``RandomFlip`` draw from NumPy's global state. A checkpoint does not carry
it and a resumed run starts from the freshly seeded state, so its epoch 2
repeats the crops of epoch 1; workers are seeded per (seed, rank, worker)
by MMEngine, so 2 workers crop differently from the main process
(``tests/test_datasets/test_seeded_dataset.py`` shows both on MMEngine's
``DefaultSampler``, which is what these configs used before).
"""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch

from ..conftest import CONFIGS, TOOLS, write_cifar

pytestmark = pytest.mark.slow

EPOCHS = 3
COMMON = [
    f'train_cfg.max_epochs={EPOCHS}', 'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=-1',
    'default_hooks.logger.interval=5'
]
CASES = {
    'digits-bbn': (osp.join('bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py'),
                   []),
    'cifar-ce': (osp.join('baselines', 'ce',
                          'resnet32_1xb128-200e_cifar10-lt-ir100.py'),
                 ['train_dataloader.batch_size=16',
                  'train_dataloader.dataset.dataset.check_md5=False',
                  'train_dataloader.dataset.dataset.imbalance_factor=8']),
}


def train(config, work_dir, options, workers=0, resume=None):
    """Start ``tools/train.py`` (no validation) in a subprocess."""
    command = [sys.executable, osp.join(TOOLS, 'train.py'), config,
               '--work-dir', work_dir, '--no-validate', '--no-pin-memory']
    if resume:
        command += ['--resume', resume]
    command += ['--cfg-options', *COMMON, *options,
                f'train_dataloader.num_workers={workers}']
    log = open(work_dir + '.log', 'w')
    # One thread each: the runs share the cores (and bit-identity holds
    # for a fixed thread count on one machine).
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                            env=env)


def finish(proc, timeout=1800):
    code = proc.wait(timeout=timeout)
    work_dir = proc.args[proc.args.index('--work-dir') + 1]
    assert code == 0, open(work_dir + '.log').read()[-3000:]


def weights(path):
    return torch.load(path, map_location='cpu',
                      weights_only=False)['state_dict']


def assert_equal_states(got, want):
    assert got.keys() == want.keys()
    different = [k for k in want if not torch.equal(got[k], want[k])]
    assert not different, f'{len(different)} of {len(want)}: {different[:5]}'


@pytest.mark.parametrize('case', CASES)
def test_killed_resumed_rerun_and_worker_runs_end_equal(case, tmp_path):
    config, options = CASES[case]
    config = osp.join(CONFIGS, config)
    if case.startswith('cifar'):
        root = write_cifar(str(tmp_path / 'data'), 10, 40, 6)
        options = options + [
            f'train_dataloader.dataset.dataset.data_root={root}']
    work = {name: str(tmp_path / name) for name in ('full', 'killed', 'two')}
    full = train(config, work['full'], options)
    killed = train(config, work['killed'], options)
    two = train(config, work['two'], options, workers=2)

    # SIGKILL the run as soon as its epoch-1 checkpoint is complete
    # (MMEngine names it in `last_checkpoint` once it is written).
    marker = osp.join(work['killed'], 'last_checkpoint')
    deadline = time.time() + 900
    while not (osp.exists(marker) and open(marker).read().endswith(
            'epoch_1.pth')):
        assert killed.poll() is None, 'the run ended before its kill'
        assert time.time() < deadline, 'no epoch-1 checkpoint in time'
        time.sleep(0.05)
    os.kill(killed.pid, signal.SIGKILL)
    assert killed.wait(timeout=60) == -signal.SIGKILL
    epoch_1 = osp.join(work['killed'], 'epoch_1.pth')
    resumed = train(config, work['killed'], options, resume=epoch_1)
    for proc in (full, two, resumed):
        finish(proc)

    final = f'epoch_{EPOCHS}.pth'
    want = weights(osp.join(work['full'], final))
    # (a) killed after epoch 1 and resumed,
    assert_equal_states(weights(osp.join(work['killed'], final)), want)
    # (b) 2 data loader workers instead of none,
    assert_equal_states(weights(osp.join(work['two'], final)), want)
    # (c) a rerun: the killed run's first epoch is the full run's.
    assert_equal_states(weights(epoch_1),
                        weights(osp.join(work['full'], 'epoch_1.pth')))
    # Training moved the weights: equal states are not trivially equal.
    assert not torch.equal(
        weights(osp.join(work['full'], 'epoch_1.pth'))[
            'backbone.conv1.weight'], want['backbone.conv1.weight'])
