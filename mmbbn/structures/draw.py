"""One training item as a sampler draws it: which item, and its seed."""
from typing import NamedTuple


class Draw(NamedTuple):
    """One training item drawn by a sampler (BBN's :class:`DualSampler`
    yields a :class:`BranchPair` of two).

    The training wrappers (:class:`SeededDataset`,
    :class:`DualSampleDataset`) run item ``index`` through the pipeline
    with every random generator seeded from ``seed``, a function of the
    run's seed, the epoch and the draw's place in the epoch's global
    order: augmentation does not depend on the data loader workers or on a
    resume.

    Args:
        index: Position of the item in the (wrapped) data set.
        seed: Seed of its random augmentation, in ``0..2**32-1``.
    """

    index: int
    seed: int
