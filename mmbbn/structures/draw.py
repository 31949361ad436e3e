"""One training item as a sampler draws it: which item, and its seed."""
from typing import NamedTuple


class Draw(NamedTuple):
    """One training item drawn by a sampler.

    mmbbn's training samplers yield ``Draw``s (BBN's :class:`DualSampler`
    a :class:`BranchPair` of two) and the training wrappers
    (:class:`SeededDataset`, :class:`DualSampleDataset`) resolve them: the
    item ``index`` goes through the data set's pipeline with every random
    generator seeded from ``seed``. A sampler makes ``seed`` a function of
    the run's seed, the epoch and the draw's position in the epoch's global
    order, so the random augmentation of an item does not depend on the
    number of data loader workers, on their seeding, or on a resume.

    Args:
        index: Position of the item in the (wrapped) data set.
        seed: Seed of the item's random augmentation, in ``0..2**32-1``.
    """

    index: int
    seed: int
