"""The dataset wrapper that turns a drawn pair into a BBN training pair."""
from typing import Any, List

from mmbbn.registry import DATASETS
from mmbbn.structures import BranchPair
from .seeded_dataset import SeededDataset


@DATASETS.register_module()
class DualSampleDataset(SeededDataset):
    """Wraps any MMPretrain data set to give BBN's training pairs.

    Indexed with ``BranchPair(conventional=Draw, rebalancing=Draw)`` (as
    :class:`DualSampler` yields them) it returns the ``BranchPair`` of the
    two items, each resolved as in :class:`SeededDataset`; this is the one
    place a training pair is packed. A single :class:`Draw` or ``int``
    gives one item. A wrapped set that takes whole batches gets each half
    of a batch of pairs as a list.

    Args:
        dataset (dict | BaseDataset): The training set or its config.
        lazy_init (bool): Defer loading the wrapped set's annotations.
            Defaults to False.
    """

    def pair_item(self, conventional: Any, rebalancing: Any) -> BranchPair:
        """The training pair of two draws (or indices)."""
        return self[BranchPair(conventional, rebalancing)]

    def prepare(self, draw: Any) -> Any:
        if isinstance(draw, BranchPair):
            return BranchPair(
                conventional=super().prepare(draw.conventional),
                rebalancing=super().prepare(draw.rebalancing))
        return super().prepare(draw)

    def __getitems__(self, draws: List[Any]) -> Any:
        batched = getattr(self.dataset, '__getitems__', None)
        if batched is None or not all(
                isinstance(d, BranchPair) for d in draws):
            return super().__getitems__(draws)
        return BranchPair(
            conventional=batched([d.conventional for d in draws]),
            rebalancing=batched([d.rebalancing for d in draws]))


__all__ = ['DualSampleDataset']
