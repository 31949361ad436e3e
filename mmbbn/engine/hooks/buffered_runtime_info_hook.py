"""Runtime information without a host-device synchronisation per step."""
from typing import Dict, List, Optional

import torch
from mmengine.hooks import LoggerHook, RuntimeInfoHook

from mmbbn.registry import HOOKS


@HOOKS.register_module()
class BufferedRuntimeInfoHook(RuntimeInfoHook):
    """:class:`RuntimeInfoHook` that reads the step's outputs at log points.

    MMEngine's ``RuntimeInfoHook`` pushes every iteration's outputs (the
    loss and accuracy, scalars on the device) into the message hub with
    ``update_scalar``, which calls ``.item()``: the host waits for the
    device every iteration, and the next step cannot be queued while the
    current one runs. This hook keeps the outputs on the device and moves
    them all to the host in one copy whenever they are needed: at the
    iterations where ``LoggerHook`` logs (every ``interval`` iterations and
    at the end of an epoch), before a checkpoint is written, before
    validation and at the end of training. The message hub then holds, in
    order, exactly the values ``RuntimeInfoHook`` would have put there, so
    logs, checkpoints and resumes are unchanged.

    Use it in place of the default: ``default_hooks =
    dict(runtime_info=dict(type='BufferedRuntimeInfoHook'))``.

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

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
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
        """Push the kept outputs into the message hub, in iteration order.

        Args:
            runner (Runner): The runner.

        Returns:
            bool: Whether anything was pushed.
        """
        if not self._pending:
            return False
        pending, self._pending = self._pending, []
        tensors = [v for out in pending for v in out.values()
                   if torch.is_tensor(v)]
        # One device-to-host copy for all of them (float64 holds float32
        # and int32 values exactly, as .item() would give them).
        host = iter(torch.stack([t.reshape(()).double() for t in tensors])
                    .tolist() if tensors else [])
        for out in pending:
            for key, value in out.items():
                if torch.is_tensor(value):
                    value = next(host)
                runner.message_hub.update_scalar(f'train/{key}', value)
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
