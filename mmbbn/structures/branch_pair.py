"""The one structure that says which half of a BBN pair is which."""
from typing import Any, NamedTuple


class BranchPair(NamedTuple):
    """A value for each of BBN's two branches, read by name, never by
    position: ``conventional`` (drawn uniformly) and ``rebalancing`` (drawn
    by the re-balancing sampler).

    The dual-sample dataset packs every training item as a pair, which
    collation, the data preprocessor, the classifier and the head keep
    (MMEngine's collate functions and ``cast_data`` rebuild named tuples).
    """

    conventional: Any
    rebalancing: Any
