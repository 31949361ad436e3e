"""Runtime information without a host-device synchronisation per step."""
from typing import Dict, List, Optional

import torch
from mmengine.hooks import LoggerHook, RuntimeInfoHook

from mmbbn.registry import HOOKS


@HOOKS.register_module()
class BufferedRuntimeInfoHook(RuntimeInfoHook):
    """:class:`RuntimeInfoHook` that reads the step's outputs at log points.

    ``RuntimeInfoHook`` pushes every iteration's outputs into the message
    hub with ``.item()``, so the host waits for the device every step. This
    hook keeps them on the device and copies them all to the host at once
    where they are read: at ``LoggerHook``'s log points (every
    ``interval`` iterations and at an epoch's end), before a checkpoint,
    before validation and after training. The message hub then holds, in
    order, exactly what ``RuntimeInfoHook`` would have put there. Use it
    as ``default_hooks.runtime_info=dict(type='BufferedRuntimeInfoHook')``.

    Args:
        interval (int, optional): Read the outputs every this many
            iterations. Defaults to the runner's ``LoggerHook`` interval.
    """

    def __init__(self, interval: Optional[int] = None) -> None:
        self.interval = interval
        self._pending: List[Dict[str, object]] = []

    def before_train(self, runner) -> None:
        """Take the logger's interval unless one was given."""
        super().before_train(runner)
        if self.interval is None:
            loggers = [h for h in runner.hooks if isinstance(h, LoggerHook)]
            self.interval = loggers[0].interval if loggers else 1

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        """Keep the outputs; read them where the logger logs."""
        if outputs:
            self._pending.append({
                k: v.detach() if torch.is_tensor(v) else v
                for k, v in outputs.items()
            })
        if self.every_n_inner_iters(batch_idx, self.interval) or \
                self.end_of_epoch(runner.train_dataloader, batch_idx):
            self.flush(runner)

    def flush(self, runner) -> bool:
        """Push the kept outputs into the message hub, in iteration order;
        return whether there were any."""
        if not self._pending:
            return False
        pending, self._pending = self._pending, []
        tensors = [v.reshape(()).double() for out in pending
                   for v in out.values() if torch.is_tensor(v)]
        # One copy for all (float64 holds float32 and int32 exactly).
        host = iter(torch.stack(tensors).tolist() if tensors else [])
        for out in pending:
            for key, value in out.items():
                runner.message_hub.update_scalar(
                    f'train/{key}',
                    next(host) if torch.is_tensor(value) else value)
        return True

    def after_train_epoch(self, runner) -> None:
        """Nothing of an epoch stays on the device past its end."""
        self.flush(runner)

    def before_val(self, runner) -> None:
        """Read what is kept before validation starts."""
        self.flush(runner)
        super().before_val(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """A checkpoint holds every output up to its iteration."""
        if self.flush(runner):
            checkpoint['message_hub'] = runner.message_hub.state_dict()

    def after_train(self, runner) -> None:
        """Read the last outputs."""
        self.flush(runner)
        super().after_train(runner)


__all__ = ['BufferedRuntimeInfoHook']
