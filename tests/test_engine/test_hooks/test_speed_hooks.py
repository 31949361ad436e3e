"""The speed hooks: BufferedRuntimeInfoHook, ChannelsLastHook, CompileHook.

BufferedRuntimeInfoHook keeps outputs on the device until they are read. A
real Runner counts its host reads in
tests/test_runner/test_device_resident_end_to_end.py; here, the order and
completeness of what reaches the message hub.
"""
import uuid
from types import SimpleNamespace
from unittest import mock

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, MMLogger

from mmbbn.engine import (BufferedRuntimeInfoHook, CompileHook,
                          compile_targets, to_channels_last)
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ...test_models.test_bbn_classifier import bbn_cfg, pair_batch


def make_runner(iters_per_epoch=5):
    return SimpleNamespace(
        message_hub=MessageHub.get_instance(f'buffered_{uuid.uuid4().hex}'),
        train_dataloader=list(range(iters_per_epoch)), hooks=[])


def step(hook, runner, i, loss):
    hook.after_train_iter(runner, i, outputs=dict(
        loss=torch.tensor(loss), accuracy=torch.tensor(loss * 10),
        note=7))


def test_outputs_reach_the_message_hub_in_order_at_log_points():
    hook, runner = BufferedRuntimeInfoHook(interval=3), make_runner()
    for i, loss in enumerate([0.5, 0.25, 0.125]):
        step(hook, runner, i, loss)
        if i < 2:  # kept on the device until the third (a log point)
            assert 'train/loss' not in runner.message_hub.log_scalars
    values, counts = runner.message_hub.get_scalar('train/loss').data
    assert values.tolist() == [0.5, 0.25, 0.125]
    assert counts.tolist() == [1, 1, 1]
    assert runner.message_hub.get_scalar(
        'train/accuracy').data[0].tolist() == [5.0, 2.5, 1.25]
    assert runner.message_hub.get_scalar('train/note').current() == 7
    step(hook, runner, 3, 1.0)
    step(hook, runner, 4, 2.0)  # the last of the epoch: read
    assert runner.message_hub.get_scalar('train/loss').current() == 2.0


def test_one_copy_to_the_host_per_read():
    hook, runner = BufferedRuntimeInfoHook(interval=4), make_runner(8)
    calls, original = [], torch.Tensor.tolist

    def tolist(tensor):
        calls.append(tensor.shape)
        return original(tensor)

    with mock.patch.object(torch.Tensor, 'tolist', tolist):
        for i in range(4):
            step(hook, runner, i, float(i))
    assert calls == [(8, )]  # 4 iterations x (loss, accuracy), at once


def test_a_checkpoint_holds_everything_up_to_its_iteration():
    hook, runner = BufferedRuntimeInfoHook(interval=100), make_runner(50)
    for i in range(3):
        step(hook, runner, i, float(i))
    checkpoint = dict(message_hub=runner.message_hub.state_dict())
    hook.before_save_checkpoint(runner, checkpoint)
    saved = checkpoint['message_hub']['log_scalars']['train/loss']
    assert saved.data[0].tolist() == [0.0, 1.0, 2.0]


def test_the_interval_defaults_to_the_loggers():
    from mmengine.hooks import LoggerHook, RuntimeInfoHook
    hook, runner = BufferedRuntimeInfoHook(), make_runner()
    runner.hooks = [LoggerHook(interval=7)]
    with mock.patch.object(RuntimeInfoHook, 'before_train'):
        hook.before_train(runner)
    assert hook.interval == 7


def test_channels_last_keeps_results_and_changes_layout():
    torch.manual_seed(0)
    model = MODELS.build(bbn_cfg())
    model.init_weights()
    model.eval()
    model.head.alpha = 0.3
    x = torch.randn(2, 3, 32, 32)
    inputs, samples = pair_batch()
    before = model(x, mode='tensor')
    loss_before = model(inputs, samples, mode='loss')['loss']

    seen = []
    to_channels_last(model)
    to_channels_last(model)  # idempotent: one input hook
    model.backbone.conv1.register_forward_pre_hook(
        lambda m, a: seen.append(
            a[0].is_contiguous(memory_format=torch.channels_last)))
    assert model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    after = model(x, mode='tensor')
    loss_after = model(BranchPair(*inputs), samples, mode='loss')['loss']
    assert seen and all(seen)
    assert len(model.backbone._forward_pre_hooks) == 1
    # Same up to float reordering, whose error grows with the logits' scale
    # (a few hundred with this initialisation).
    scale = before.abs().max().item()
    torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-6 * scale)
    torch.testing.assert_close(loss_after, loss_before, rtol=1e-5,
                               atol=1e-6 * scale)


# CompileHook: trunk and branches only, in place, on the named devices.
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
