from types import SimpleNamespace

import numpy as np
import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.models.heads import LinearClsHead

from mmbbn.engine import ClassCountsHook
from ...runner_cfg import tiny_cls_cfg

# The tiny CIFAR-10-LT at imbalance factor 8 over 40 images per class.
TINY_COUNTS = [40, 31, 25, 20, 15, 12, 10, 7, 6, 5]


class Spy(nn.Module):

    def __init__(self):
        super().__init__()
        self.counts = []

    def set_class_counts(self, counts):
        self.counts.append(np.asarray(counts).tolist())


def fake_runner(model, cfg):
    messages = []
    return SimpleNamespace(
        model=model, cfg=cfg if isinstance(cfg, Config) else Config(cfg),
        _train_loop=None,
        logger=SimpleNamespace(info=messages.append)), messages


def test_every_module_that_asks_gets_the_counts_of_the_config(
        cifar10_tiny):
    spies = nn.ModuleDict(dict(a=Spy(), b=nn.Sequential(Spy())))
    cfg = tiny_cls_cfg(cifar10_tiny, '/tmp/unused')
    runner, messages = fake_runner(spies, cfg)
    hook = ClassCountsHook()
    hook.before_test(runner)
    hook.before_val(runner)
    assert spies.a.counts == [TINY_COUNTS, TINY_COUNTS]
    assert spies.b[0].counts == [TINY_COUNTS, TINY_COUNTS]
    assert len(messages) == 1 and 'Spy' in messages[0]


def test_models_that_do_not_ask_cost_nothing():
    runner, _ = fake_runner(nn.Linear(2, 2), dict())  # no training set
    ClassCountsHook().before_train(runner)


def test_no_training_set_is_one_clear_line():
    head = LinearClsHead(3, 4, loss=dict(type='LDAMLoss'))
    runner, _ = fake_runner(head, dict(train_dataloader=None))
    with pytest.raises(ValueError) as e:
        ClassCountsHook().before_test(runner)
    assert str(e.value) == (
        'ClassCountsHook: LDAMLoss need(s) the training-class counts, but '
        'the config has no train_dataloader.dataset to count the training '
        'classes of')


@pytest.mark.slow
def test_a_real_runner_trains_and_tests_with_derived_counts(
        cifar10_tiny, tmp_path):
    cfg = tiny_cls_cfg(cifar10_tiny, str(tmp_path / 'train'), max_epochs=1)
    cfg.model.head = dict(
        type='PostHocLinearClsHead', num_classes=10, in_channels=64,
        logit_adjust_tau=1.0,
        loss=dict(type='ReweightedCrossEntropyLoss', weighting='inverse'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    head = runner.model.head
    assert head.loss_module.class_counts.tolist() == TINY_COUNTS
    assert head.class_counts.tolist() == TINY_COUNTS
    expected = 1 / np.array(TINY_COUNTS)
    assert np.allclose(head.loss_module.class_weight.numpy(),
                       expected * 10 / expected.sum())

    # Testing a checkpoint in a fresh runner: counts from the config's
    # training set, set after the checkpoint is loaded.
    test_cfg = tiny_cls_cfg(
        cifar10_tiny, str(tmp_path / 'test'), model=cfg.model,
        load_from=str(tmp_path / 'train' / 'epoch_1.pth'))
    tester = Runner.from_cfg(test_cfg)
    tester.model.head.class_counts.zero_()
    metrics = tester.test()
    assert tester.model.head.class_counts.tolist() == TINY_COUNTS
    assert 'lt/top1' in metrics


def test_metrics_get_the_same_counts_unless_configured(cifar10_tiny):
    from mmbbn.evaluation import LongTailMetric
    asks, given = LongTailMetric(), LongTailMetric(train_class_counts=[1] *
                                                   10)
    cfg = tiny_cls_cfg(cifar10_tiny, '/tmp/unused')
    runner, messages = fake_runner(nn.Sequential(Spy()), cfg)
    runner._val_loop = SimpleNamespace(
        evaluator=SimpleNamespace(metrics=[asks, given]))
    hook = ClassCountsHook()
    hook.before_train(runner)
    hook.before_val(runner)
    assert asks.train_class_counts.tolist() == TINY_COUNTS
    assert given.train_class_counts.tolist() == [1] * 10  # config wins
    assert runner.model[0].counts == [TINY_COUNTS, TINY_COUNTS]
    assert len(messages) == 1  # derived once, for the model and metric


def test_a_metric_without_counts_only_loses_its_groups():
    from mmbbn.evaluation import LongTailMetric
    metric = LongTailMetric()
    runner, _ = fake_runner(nn.Linear(2, 2), dict(train_dataloader=None))
    warnings = []
    runner.logger.warning = warnings.append
    runner._test_loop = SimpleNamespace(
        evaluator=SimpleNamespace(metrics=[metric]))
    hook = ClassCountsHook()
    hook.before_test(runner)
    hook.before_test(runner)
    assert metric.train_class_counts is None
    assert warnings == [
        'ClassCountsHook: no training counts, so no many/medium/few '
        'accuracy (ValueError: the config has no train_dataloader.dataset '
        'to count the training classes of)'
    ]
    # A loss that needs them still fails in one line.
    runner.model = LinearClsHead(3, 4, loss=dict(type='LDAMLoss'))
    with pytest.raises(ValueError, match='^ClassCountsHook: LDAMLoss '
                       r'need\(s\) the training-class counts, but the '
                       'config has no train_dataloader'):
        hook.before_test(runner)
