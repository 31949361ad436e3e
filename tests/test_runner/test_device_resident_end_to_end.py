"""A real Runner trains and evaluates BBN and CE on the device path.

The shipped CIFAR-10-LT configs, switched by ``use_device_resident`` (the
random crop and flip on, as seeded batch augments), on tiny generated
CIFAR pickles.
"""
import copy
import math
import os.path as osp
import uuid
from unittest import mock

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.models.heads import LinearClsHead

from mmbbn.datasets import use_device_resident
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ..conftest import CONFIGS

pytestmark = pytest.mark.slow

BBN = 'bbn/bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py'
CE = 'baselines/ce/resnet32_1xb128-200e_cifar10-lt-ir100.py'


def innermost(loader):
    dataset = loader.dataset
    while 'dataset' in dataset:
        dataset = dataset.dataset
    return dataset


def device_cfg(leaf: str, data_root: str, work_dir: str,
               epochs: int = 2) -> Config:
    """A shipped config on the device path, at toy size."""
    cfg = use_device_resident(Config.fromfile(osp.join(CONFIGS, leaf)))
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        innermost(cfg[field]).update(data_root=data_root, check_md5=False)
    innermost(cfg.train_dataloader).imbalance_factor = 4
    cfg.train_dataloader.batch_size = 16
    cfg.train_cfg.max_epochs = epochs
    cfg.default_hooks.logger.interval = 4
    cfg.default_hooks.checkpoint.update(interval=1, save_best=None)
    cfg.work_dir = work_dir
    cfg.experiment_name = f'device_{uuid.uuid4().hex[:12]}'
    cfg.log_level = 'WARNING'
    return cfg


class Record(Hook):
    """Keeps what the loop handed to the model, and the val metrics."""

    priority = 'LOWEST'

    def __init__(self):
        self.batches, self.metrics, self.losses = [], [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append(data_batch)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses.append(outputs['loss'].detach())  # read after

    def after_val_epoch(self, runner, metrics=None):
        self.metrics.append(dict(metrics))


def train(cfg: Config):
    runner = Runner.from_cfg(cfg)
    record = Record()
    runner.register_hook(record)
    runner.train()
    return runner, record


def state(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


@pytest.fixture(scope='module')
def bbn_run(cifar10_tiny, tmp_path_factory):
    """BBN trained 2 epochs on the device path (shared by the tests)."""
    cfg = device_cfg(BBN, cifar10_tiny, str(tmp_path_factory.mktemp('bbn')))
    runner, record = train(cfg)
    return cfg, state(runner), record


def check_device_batch(half):
    assert half['inputs'].dtype == torch.uint8
    assert half['inputs'].shape == (16, 3, 32, 32)
    assert half['seeds'].shape == (16, )


def test_bbn_trains_on_device_batches(bbn_run):
    cfg, _, record = bbn_run
    batch = record.batches[0]
    assert isinstance(batch, BranchPair)
    for half in batch:
        check_device_batch(half)
    # Each half of the pair draws its own augmentation.
    assert not torch.equal(batch.conventional['seeds'],
                           batch.rebalancing['seeds'])
    assert len(record.metrics) == 2
    assert 0 <= record.metrics[-1]['lt/top1'] <= 100
    assert all(math.isfinite(float(x)) for x in record.losses)


def test_a_seeded_device_run_is_reproducible(bbn_run, cifar10_tiny,
                                             tmp_path):
    cfg, first, _ = bbn_run
    again, _ = train(device_cfg(BBN, cifar10_tiny, str(tmp_path)))
    again = state(again)
    assert first.keys() == again.keys()
    assert all(torch.equal(first[k], again[k]) for k in first)


class HostReads(Hook):
    """Host reads of tensors (``.item()``, ``.tolist()``, ``float()``...)
    per training iteration: its hooks, its step and the loading of the next
    batch (the loader's once-per-epoch start, before the first batch, is
    the epoch's, not an iteration's)."""

    priority = 'HIGHEST'
    METHODS = ('item', 'tolist', 'numpy', '__float__', '__int__',
               '__bool__', '__index__')

    def __init__(self):
        self.count = 0
        self.per_iter = []
        self._mark = None
        self._patches = [
            mock.patch.object(torch.Tensor, name, self._counting(name))
            for name in self.METHODS
        ]

    def _counting(self, name):
        original = getattr(torch.Tensor, name)

        def counted(tensor, *args, **kwargs):
            self.count += 1
            return original(tensor, *args, **kwargs)

        return counted

    def __enter__(self):
        for p in self._patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in self._patches:
            p.stop()

    def _close(self):
        if self._mark is not None:
            self.per_iter.append((len(self.per_iter),
                                  self.count - self._mark))
        self._mark = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._close()
        self._mark = self.count

    def after_train_epoch(self, runner):
        self._close()


def count_reads(cfg):
    runner = Runner.from_cfg(cfg)
    reads, record = HostReads(), Record()
    runner.register_hook(reads)
    runner.register_hook(record)
    with reads:
        runner.train()
    return runner, reads.per_iter, record


@pytest.fixture(scope='module')
def ce_runs(cifar10_tiny, tmp_path_factory):
    """CE for 1 epoch on the device path: with BufferedRuntimeInfoHook,
    and with MMEngine's RuntimeInfoHook."""
    root = tmp_path_factory.mktemp('ce')
    cfg = device_cfg(CE, cifar10_tiny, str(root / 'buffered'), 1)
    cfg.default_hooks.runtime_info = dict(type='BufferedRuntimeInfoHook')
    buffered = count_reads(cfg)
    standard = count_reads(device_cfg(CE, cifar10_tiny,
                                      str(root / 'standard'), 1))
    return buffered, standard


def test_ce_trains_on_device_batches(ce_runs):
    (_, _, record), _ = ce_runs
    check_device_batch(record.batches[0])
    assert len(record.metrics) == 1
    assert all(math.isfinite(float(x)) for x in record.losses)


def test_no_host_read_inside_an_iteration_between_log_points(ce_runs):
    (buffered, per_iter, _), (standard, standard_reads, _) = ce_runs
    iters = len(per_iter)
    log_points = {i for i in range(iters) if (i + 1) % 4 == 0} | {iters - 1}
    assert iters >= 9 and len(log_points) < iters
    assert [n for i, n in per_iter if i not in log_points] == [0] * (
        iters - len(log_points))
    assert all(n >= 1 for i, n in per_iter if i in log_points)
    # MMEngine's own hook reads every iteration: the count can see it.
    assert all(n >= 1 for _, n in standard_reads)
    # ... and the message hub holds the same values, iteration by
    # iteration.
    for key in ('train/loss', 'train/lr'):
        got = buffered.message_hub.get_scalar(key).data
        want = standard.message_hub.get_scalar(key).data
        assert got[0].tolist() == want[0].tolist(), key
        assert got[1].tolist() == want[1].tolist(), key


def evaluate(cfg: Config, work_dir: str, checkpoint: str) -> dict:
    """Test a checkpoint with a config (its test loop and loader)."""
    cfg = copy.deepcopy(cfg)
    cfg.update(work_dir=work_dir, load_from=checkpoint,
               experiment_name=f'test_{uuid.uuid4().hex[:8]}',
               log_level='WARNING')
    cfg.train_dataloader = cfg.train_cfg = None
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.optim_wrapper = cfg.param_scheduler = None
    return Runner.from_cfg(cfg).test()


def test_batched_evaluation_equals_per_item_evaluation(
        bbn_run, cifar10_tiny, tmp_path):
    cfg, _, record = bbn_run
    checkpoint = osp.join(cfg.work_dir, 'epoch_2.pth')
    assert cfg.test_cfg.type == 'BatchedTestLoop'
    batched = evaluate(cfg, str(tmp_path / 'batched'), checkpoint)
    # The training's last validation (BatchedValLoop) saw the same model.
    assert batched['lt/top1'] == record.metrics[-1]['lt/top1']
    # The standard TestLoop on the same device batches (split into items).
    per_item_loop = copy.deepcopy(cfg)
    per_item_loop.test_cfg = dict()
    # The per-item pipeline: the shipped config as it is.
    per_item_path = Config.fromfile(osp.join(CONFIGS, BBN))
    per_item_path.test_dataloader.update(num_workers=0,
                                         persistent_workers=False)
    innermost(per_item_path.test_dataloader).update(data_root=cifar10_tiny,
                                                    check_md5=False)
    for name, other in (('loop', per_item_loop), ('path', per_item_path)):
        got = evaluate(other, str(tmp_path / name), checkpoint)
        for key in ('lt/top1', 'lt/top5', 'lt/class_avg'):
            assert got[key] == batched[key], (name, key)
        assert got['lt/ece'] == pytest.approx(batched['lt/ece'], abs=1e-4)


@MODELS.register_module(force=True)
class ShiftedPredictionHead(LinearClsHead):
    """A head whose predict() is not softmax(head(feats))."""

    def predict(self, feats, data_samples=None):
        return self._get_predictions(self(feats) + torch.arange(
            self.num_classes, dtype=torch.float) * 3, data_samples)


def test_batched_evaluation_refuses_a_model_with_its_own_predict(
        cifar10_tiny, tmp_path):
    cfg = device_cfg(CE, cifar10_tiny, str(tmp_path))
    cfg.model.head.type = 'ShiftedPredictionHead'
    with pytest.raises(ValueError, match='differs from softmax') as e:
        evaluate(cfg, str(tmp_path), None)
    assert '\n' not in str(e.value)
