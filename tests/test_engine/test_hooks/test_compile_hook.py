"""CompileHook: trunk and branches only, in place, on the named devices."""
from types import SimpleNamespace
from unittest import mock

import torch.nn as nn
from mmengine.logging import MMLogger

from mmbbn.engine import CompileHook, compile_targets
from mmbbn.registry import MODELS

BBN = dict(type='BBNClassifier',
           backbone=dict(type='CifarResNet', depth=20,
                         split_last_block=True),
           head=dict(type='BBNHead', num_classes=10, in_channels=128))
CE = dict(type='ImageClassifier', backbone=dict(type='CifarResNet', depth=20),
          neck=dict(type='GlobalAveragePooling'),
          head=dict(type='LinearClsHead', num_classes=10, in_channels=64))


def runner_of(model):
    return SimpleNamespace(model=model,
                           logger=MMLogger.get_current_instance())


def test_targets_are_the_trunk_and_the_branch_blocks():
    assert compile_targets(MODELS.build(BBN)) == [
        'backbone', 'neck.conventional', 'neck.rebalancing']
    # A pooling neck has nothing to compile; the heads never are.
    assert compile_targets(MODELS.build(CE)) == ['backbone']


def test_it_compiles_in_place_on_the_named_devices_only():
    model = MODELS.build(BBN)
    keys = list(model.state_dict())
    with mock.patch.object(nn.Module, 'compile', autospec=True) as compile_:
        CompileHook().before_train(runner_of(model))  # cuda only: not here
        assert not compile_.called
        CompileHook(mode='reduce-overhead',
                    devices=('cpu', )).before_train(runner_of(model))
    compiled = [call.args[0] for call in compile_.call_args_list]
    assert compiled == [model.backbone, model.neck.conventional,
                        model.neck.rebalancing]
    assert compile_.call_args.kwargs == dict(mode='reduce-overhead',
                                             dynamic=False)
    # nn.Module.compile keeps the module, so checkpoints keep their keys.
    model.backbone.compile()
    assert list(model.state_dict()) == keys
