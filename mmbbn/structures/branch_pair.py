"""The one structure that says which half of a BBN pair is which."""
from typing import Any, NamedTuple


class BranchPair(NamedTuple):
    """A value for each of BBN's two branches, read by name, never by
    position.

    The dual-sample dataset packs every training item as the pair of the
    uniformly sampled item and the re-balanced one; collation, the data
    preprocessor, the classifier and the head keep the pair. MMEngine's
    collate functions and ``cast_data`` rebuild named tuples, so it
    survives the data loader and the move to the device.

    Args:
        conventional: The half of the conventional learning branch (drawn
            uniformly).
        rebalancing: The half of the re-balancing branch (drawn by the
            re-balancing sampler).
    """

    conventional: Any
    rebalancing: Any
