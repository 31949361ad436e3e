"""Deferred re-weighting (DRW) and re-sampling (DRS), switched by epoch."""
from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from mmbbn.datasets.samplers import SAMPLING_MODES
from mmbbn.registry import HOOKS
from .class_counts_hook import modules_with


class _EpochSwitchHook(Hook):
    """Switches a state at ``switch_epoch`` (0-based, as ``runner.epoch``),
    set before every epoch: a resumed run is right from its first step."""

    def __init__(self, switch_epoch: int = 160) -> None:
        if isinstance(switch_epoch, bool) or not isinstance(
                switch_epoch, int) or switch_epoch < 0:
            raise ValueError(f'{type(self).__name__}: switch_epoch='
                             f'{switch_epoch!r} is not a non-negative '
                             'integer')
        self.switch_epoch = switch_epoch
        self._logged = None  # the state last logged

    def before_train(self, runner) -> None:
        """The switch epoch must fall inside an epoch-based run."""
        name = type(self).__name__
        if isinstance(runner.train_loop, IterBasedTrainLoop):
            raise ValueError(f'{name}: switches by epoch, but the train '
                             'loop counts iterations')
        if self.switch_epoch >= runner.max_epochs:
            raise ValueError(
                f'{name}: switch_epoch={self.switch_epoch} is past the end '
                f'of training (max_epochs={runner.max_epochs})')

    def _log(self, runner, state: str) -> None:
        if state != self._logged:
            self._logged = state
            runner.logger.info(
                f'{type(self).__name__}: {state} from epoch {runner.epoch} '
                f'(switch at {self.switch_epoch})')


@HOOKS.register_module()
class DeferredReweightingHook(_EpochSwitchHook):
    """DRW (Cao et al. 2019): class weights only from ``switch_epoch`` on.

    Calls ``set_reweighting(epoch >= switch_epoch)`` on every loss that
    weighs classes (:class:`ReweightedCrossEntropyLoss`, :class:`LDAMLoss`,
    ... with a ``weighting``). The original "epoch // 160" is
    ``switch_epoch=160``.

    Args:
        switch_epoch (int): First re-weighted epoch (0-based). Defaults to
            160 (the CIFAR runs of Cao et al. and of the BBN paper).
    """

    def _losses(self, runner) -> list:
        return [m for m in modules_with(runner.model, 'set_reweighting')
                if getattr(m, 'uses_class_weights', False)]

    def before_train(self, runner) -> None:
        """Check the switch epoch and that some loss weighs classes."""
        super().before_train(runner)
        if not self._losses(runner):
            raise ValueError(
                'DeferredReweightingHook: no loss of the model weighs '
                "classes; use e.g. loss=dict(type='ReweightedCrossEntropyLoss"
                "', weighting='effective_number', beta=0.9999)")

    def before_train_epoch(self, runner) -> None:
        """Switch the class weights on or off for this epoch."""
        enabled = runner.epoch >= self.switch_epoch
        self._log(runner, f'class weights {"on" if enabled else "off"}')
        for loss in self._losses(runner):
            loss.set_reweighting(enabled)
        runner.message_hub.update_info('reweighting', enabled)


@HOOKS.register_module()
class DeferredResamplingHook(_EpochSwitchHook):
    """DRS (Cao et al. 2019): re-sampling only from ``switch_epoch`` on.

    Sets the train loader's :class:`ClassAwareSampler` to ``'shuffle'`` (a
    plain pass) before ``switch_epoch`` and to ``rebalance`` from it. The
    sampler runs in the main process after this hook, so the switch
    reaches persistent workers too.

    Args:
        switch_epoch (int): First re-sampled epoch (0-based). Defaults to
            160.
        rebalance (str): The sampler's mode from the switch on. Defaults
            to ``'balanced'``.
    """

    def __init__(self, switch_epoch: int = 160,
                 rebalance: str = 'balanced') -> None:
        super().__init__(switch_epoch)
        if rebalance not in SAMPLING_MODES:
            raise ValueError(
                f'DeferredResamplingHook: rebalance={rebalance!r} is not '
                f'one of {", ".join(SAMPLING_MODES)}')
        self.rebalance = rebalance

    @staticmethod
    def _sampler(runner):
        loader = runner.train_loop.dataloader
        sampler = getattr(loader, 'sampler', None)
        for candidate in (sampler, getattr(
                getattr(loader, 'batch_sampler', None), 'sampler', None)):
            if callable(getattr(candidate, 'set_rebalance', None)):
                return candidate
        raise ValueError(
            'DeferredResamplingHook: the train sampler '
            f'{type(sampler).__name__} cannot switch modes; use '
            "sampler=dict(type='ClassAwareSampler', rebalance='shuffle')")

    def before_train(self, runner) -> None:
        """Check the switch epoch and the sampler."""
        super().before_train(runner)
        self._sampler(runner)

    def before_train_epoch(self, runner) -> None:
        """Set the sampler's mode for this epoch."""
        mode = (self.rebalance
                if runner.epoch >= self.switch_epoch else 'shuffle')
        self._log(runner, f'sampler {mode!r}')
        self._sampler(runner).set_rebalance(mode)
        runner.message_hub.update_info('resampling', mode)
