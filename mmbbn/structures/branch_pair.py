"""The one structure that says which half of a BBN pair is which."""
from typing import Any, NamedTuple


class BranchPair(NamedTuple):
    """A value for each of BBN's two branches, named, never positional.

    The dual-sample dataset packs every training item as a ``BranchPair`` of
    the uniformly sampled item and the re-balanced one; collate functions,
    the data preprocessor, the classifier and the head keep the pair and
    read its halves by name. Nothing in mmbbn tells the halves apart by
    their position in a batch.

    MMEngine's ``pseudo_collate``/``default_collate`` and ``cast_data``
    recurse into named tuples and rebuild them, so the pair survives the
    data loader and the move to the device unchanged.

    Args:
        conventional: The half for the conventional learning branch (drawn
            uniformly from the training set).
        rebalancing: The half for the re-balancing branch (drawn by the
            re-balancing sampler).
    """

    conventional: Any
    rebalancing: Any
