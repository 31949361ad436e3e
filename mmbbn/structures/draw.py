"""One training item as a sampler draws it: which item, and its seed."""
from typing import NamedTuple


class Draw(NamedTuple):
    """Item ``index`` of the wrapped data set, run through the pipeline
    with every random generator seeded from ``seed`` (``0..2**32-1``, a
    function of the run's seed, the epoch and the draw's place in the
    epoch): augmentation depends on neither the workers nor a resume.
    :class:`DualSampler` yields a :class:`BranchPair` of two."""

    index: int
    seed: int
