"""One training item as a sampler draws it: which item, and its seed."""
from typing import NamedTuple


class Draw(NamedTuple):
    """One training item drawn by a sampler (:class:`DualSampler` yields
    a :class:`BranchPair` of two).

    The training wrappers run item ``index`` (of the wrapped data set)
    through the pipeline with every random generator seeded from ``seed``
    (in ``0..2**32-1``), a function of the run's seed, the epoch and the
    draw's place in the epoch's global order: augmentation depends on
    neither the data loader workers nor a resume.
    """

    index: int
    seed: int
