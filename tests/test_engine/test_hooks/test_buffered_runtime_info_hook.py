"""BufferedRuntimeInfoHook keeps outputs on the device until they are read.

A real Runner counts its host reads in
tests/test_runner/test_device_resident_end_to_end.py; here, the order and
completeness of what reaches the message hub.
"""
import uuid
from types import SimpleNamespace
from unittest import mock

import torch
from mmengine.logging import MessageHub

from mmbbn.engine import BufferedRuntimeInfoHook


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
