"""The plain training sampler whose draws carry their augmentation seed."""
from typing import Iterator, List, Optional

import numpy as np
from mmengine.dataset import DefaultSampler

from mmbbn.registry import DATA_SAMPLERS
from mmbbn.structures import Draw
from ..seeded_dataset import SeededDataset

# Key of the augmentation-seed streams under (seed, epoch); the class-first
# picks of the re-balancing samplers use the (seed, epoch) stream itself.
AUGMENT_STREAM = 1


def epoch_rng(seed: int, epoch: int, *stream: int) -> np.random.Generator:
    """An independent PCG64 generator for one (seed, epoch, ...) key."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(epoch),
                                  *map(int, stream)])


@DATA_SAMPLERS.register_module()
class SeededSampler(DefaultSampler):
    """MMEngine's :class:`DefaultSampler` that yields :class:`Draw`\\ s.

    The indices are exactly :class:`DefaultSampler`'s. The draw at global
    position ``k`` carries row ``k`` of a stream seeded by ``(seed,
    epoch)`` as the seed of its augmentation, so an item's augmentation
    does not depend on the number of workers, their seeding or a resume.
    Pair it with :class:`SeededDataset`, which applies the seed.

    Args:
        dataset: The training set (a :attr:`DATASET`).
        shuffle (bool): Shuffle the indices. Defaults to True.
        seed (int, optional): Seed shared by all ranks; None syncs a random
            one (MMEngine passes the runner's seed).
        round_up (bool): As in :class:`DefaultSampler`. Defaults to True.
    """

    # The wrapper that resolves this sampler's draws.
    DATASET = SeededDataset

    def __init__(self,
                 dataset,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        if not isinstance(dataset, self.DATASET):
            raise TypeError(
                f'{type(self).__name__}: dataset {type(dataset).__name__} '
                'cannot resolve its draws; wrap it: dataset=dict(type='
                f"'{self.DATASET.__name__}', dataset=...)")
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)

    def augment_seeds(self, half: int = 0) -> np.ndarray:
        """This rank's uint32 augmentation seeds of the current epoch.

        Args:
            half (int): The stream: 0 for single draws and the conventional
                half of a BBN pair, 1 for the re-balancing half.
        """
        seeds = epoch_rng(self.seed, self.epoch, AUGMENT_STREAM,
                          half).integers(0, 2**32, self.total_size,
                                         dtype=np.uint32)
        return seeds[self.rank:self.total_size:self.world_size]

    def draws(self, indices: List[int], half: int = 0) -> List[Draw]:
        """This rank's items of the epoch with their seeds, in order."""
        seeds = self.augment_seeds(half)[:len(indices)].tolist()
        return [Draw(int(i), s) for i, s in zip(indices, seeds)]

    def __iter__(self) -> Iterator[Draw]:
        return iter(self.draws(list(super().__iter__())))


__all__ = ['AUGMENT_STREAM', 'SeededSampler', 'epoch_rng']
