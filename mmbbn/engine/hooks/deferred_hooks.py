"""Deferred re-weighting (DRW) and re-sampling (DRS), switched by epoch."""
from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from mmbbn.datasets.samplers import SAMPLING_MODES
from mmbbn.registry import HOOKS
from .class_counts_hook import modules_with


def check_switch(owner: str, switch_epoch, runner) -> None:
    """A switch epoch must fall inside an epoch-based training run.

    Args:
        owner (str): The hook, for the message.
        switch_epoch: The configured epoch (0-based: the first epoch that
            is switched).
        runner (Runner): The runner.
    """
    if isinstance(runner.train_loop, IterBasedTrainLoop):
        raise ValueError(f'{owner}: switches by epoch, but the train loop '
                         'counts iterations')
    if switch_epoch >= runner.max_epochs:
        raise ValueError(
            f'{owner}: switch_epoch={switch_epoch} is past the end of '
            f'training (max_epochs={runner.max_epochs})')


def check_epoch(owner: str, switch_epoch) -> int:
    """A switch epoch is a non-negative integer."""
    if isinstance(switch_epoch, bool) or not isinstance(
            switch_epoch, int) or switch_epoch < 0:
        raise ValueError(f'{owner}: switch_epoch={switch_epoch!r} is not a '
                         'non-negative integer')
    return switch_epoch


@HOOKS.register_module()
class DeferredReweightingHook(Hook):
    """DRW (Cao et al. 2019): class weights only from ``switch_epoch`` on.

    Before every training epoch it calls ``set_reweighting(epoch >=
    switch_epoch)`` on every loss that weighs classes
    (:class:`ReweightedCrossEntropyLoss`, :class:`LDAMLoss`, ... with a
    ``weighting``). The state is a pure function of the epoch, so a run
    resumed at epoch 170 of a switch at 160 is re-weighted from its first
    step. Epochs count from 0, as MMEngine's ``runner.epoch``: the
    original code's "epoch // 160" switches at the 161st epoch, which is
    ``switch_epoch=160`` here.

    Args:
        switch_epoch (int): First re-weighted epoch (0-based). Defaults to
            160 (the CIFAR runs of Cao et al. and of the BBN paper).
    """

    priority = 'NORMAL'

    def __init__(self, switch_epoch: int = 160) -> None:
        self.switch_epoch = check_epoch('DeferredReweightingHook',
                                        switch_epoch)
        self._logged = None  # the state last logged

    def _losses(self, runner) -> list:
        return [m for m in modules_with(runner.model, 'set_reweighting')
                if getattr(m, 'uses_class_weights', False)]

    def before_train(self, runner) -> None:
        """Check the switch epoch and that some loss weighs classes."""
        check_switch('DeferredReweightingHook', self.switch_epoch, runner)
        if not self._losses(runner):
            raise ValueError(
                'DeferredReweightingHook: no loss of the model weighs '
                "classes; use e.g. loss=dict(type='ReweightedCrossEntropyLoss"
                "', weighting='effective_number', beta=0.9999)")

    def before_train_epoch(self, runner) -> None:
        """Switch the class weights on or off for this epoch."""
        enabled = runner.epoch >= self.switch_epoch
        if enabled != self._logged:
            self._logged = enabled
            runner.logger.info(
                f'DeferredReweightingHook: class weights '
                f'{"on" if enabled else "off"} from epoch {runner.epoch} '
                f'(switch at {self.switch_epoch})')
        for loss in self._losses(runner):
            loss.set_reweighting(enabled)
        runner.message_hub.update_info('reweighting', enabled)


@HOOKS.register_module()
class DeferredResamplingHook(Hook):
    """DRS (Cao et al. 2019): re-sampling only from ``switch_epoch`` on.

    Before every training epoch it sets the train loader's sampler (a
    :class:`ClassAwareSampler`) to ``'shuffle'`` (a plain pass over the
    data) before ``switch_epoch`` and to ``rebalance`` from it. The
    sampler lives in the main process and is iterated after this hook, so
    the switch reaches persistent data loader workers as well (they only
    receive indices). The mode is a pure function of the epoch: a resumed
    run is in the right state from its first step.

    Args:
        switch_epoch (int): First re-sampled epoch (0-based). Defaults to
            160.
        rebalance (str): The sampler's mode from the switch on. Defaults
            to ``'balanced'`` (class-balanced re-sampling).
    """

    priority = 'NORMAL'

    def __init__(self, switch_epoch: int = 160,
                 rebalance: str = 'balanced') -> None:
        self.switch_epoch = check_epoch('DeferredResamplingHook',
                                        switch_epoch)
        if rebalance not in SAMPLING_MODES:
            raise ValueError(
                f'DeferredResamplingHook: rebalance={rebalance!r} is not '
                f'one of {", ".join(SAMPLING_MODES)}')
        self.rebalance = rebalance
        self._logged = None  # the mode last logged

    @staticmethod
    def _sampler(runner):
        loader = runner.train_loop.dataloader
        sampler = getattr(loader, 'sampler', None)
        if not callable(getattr(sampler, 'set_rebalance', None)):
            batch_sampler = getattr(loader, 'batch_sampler', None)
            sampler = getattr(batch_sampler, 'sampler', sampler)
        if not callable(getattr(sampler, 'set_rebalance', None)):
            raise ValueError(
                'DeferredResamplingHook: the train sampler '
                f'{type(sampler).__name__} cannot switch modes; use '
                "sampler=dict(type='ClassAwareSampler', rebalance='shuffle')")
        return sampler

    def before_train(self, runner) -> None:
        """Check the switch epoch and the sampler."""
        check_switch('DeferredResamplingHook', self.switch_epoch, runner)
        self._sampler(runner)

    def before_train_epoch(self, runner) -> None:
        """Set the sampler's mode for this epoch."""
        mode = (self.rebalance
                if runner.epoch >= self.switch_epoch else 'shuffle')
        if mode != self._logged:
            self._logged = mode
            runner.logger.info(
                f'DeferredResamplingHook: sampler {mode!r} from epoch '
                f'{runner.epoch} (switch at {self.switch_epoch})')
        self._sampler(runner).set_rebalance(mode)
        runner.message_hub.update_info('resampling', mode)


__all__ = ['DeferredResamplingHook', 'DeferredReweightingHook']
