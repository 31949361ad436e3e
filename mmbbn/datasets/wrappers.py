"""The training wrappers that resolve a sampler's :class:`Draw` (or pair)."""
import copy
import random
from contextlib import contextmanager
from typing import Any, Iterator, List, Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset

from mmbbn.registry import DATASETS
from mmbbn.structures import BranchPair, Draw
from .labels import get_gt_labels


def seed_generators(seed: int) -> None:
    """Seed NumPy's, Python's and torch's (CPU) global generators, which
    MMCV's, MMPretrain's and other transforms draw from."""
    np.random.seed(seed)
    random.seed(seed)
    torch.default_generator.manual_seed(seed)


@contextmanager
def kept_random_state() -> Iterator[None]:
    """Restore the generators of :func:`seed_generators` after the block,
    so a main process that loads items itself (``num_workers=0``) draws
    afterwards as if it had loaded none. Saving NumPy's state costs about
    0.1 ms, so batches keep it once, not per item."""
    np_state, py_state = np.random.get_state(), random.getstate()
    torch_state = torch.default_generator.get_state()
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
        torch.default_generator.set_state(torch_state)


def is_index(idx: Any) -> bool:
    return isinstance(idx, (int, np.integer))


class DatasetWrapper:
    """Base of the wrappers: builds the wrapped ``dataset`` (a data set or
    its config) and keeps its metainfo; ``lazy_init`` defers
    :meth:`full_init`."""

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 lazy_init: bool = False) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset
        self._metainfo = copy.deepcopy(getattr(dataset, 'metainfo', {}))
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Load the wrapped data set's annotations (once)."""
        if not self._fully_initialized and hasattr(self.dataset,
                                                   'full_init'):
            self.dataset.full_init()
        self._fully_initialized = True


@DATASETS.register_module()
class SeededDataset(DatasetWrapper):
    """Wraps a training set so that each draw's augmentation is seeded.

    Indexed with a :class:`Draw` (as :class:`SeededSampler` and
    :class:`ClassAwareSampler` yield them) it returns
    ``dataset[draw.index]`` with the global generators seeded by
    ``draw.seed`` (their states restored afterwards); indexed with an
    ``int``, ``dataset[idx]``, so browsing tools work on it. A wrapped set
    that takes whole batches (``__getitems__``) gets each batch of draws as
    a list and applies their seeds itself.
    """

    def get_gt_labels(self) -> np.ndarray:
        return get_gt_labels(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def prepare(self, draw: Union[Draw, int]) -> Any:
        """One item (generators left seeded by a draw's seed)."""
        if isinstance(draw, Draw):
            seed_generators(draw.seed)
            return self.dataset[draw.index]
        return self.dataset[draw]

    def __getitem__(self, idx: Union[Draw, int]) -> Any:
        if is_index(idx):
            return self.dataset[idx]
        with kept_random_state():
            return self.prepare(idx)

    def __getitems__(self, draws: List[Any]) -> Any:
        """A batch (PyTorch's ``DataLoader`` asks for batches this way)."""
        batched = getattr(self.dataset, '__getitems__', None)
        if batched is not None:
            return batched(list(draws))
        if all(map(is_index, draws)):
            return [self.dataset[i] for i in draws]
        with kept_random_state():
            return [self.prepare(d) for d in draws]

    def __len__(self) -> int:
        return len(self.dataset)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(\n{self.dataset!r}\n)'


@DATASETS.register_module()
class DualSampleDataset(SeededDataset):
    """Wraps any MMPretrain data set to give BBN's training pairs.

    Indexed with ``BranchPair(conventional=Draw, rebalancing=Draw)`` (as
    :class:`DualSampler` yields them) it returns the ``BranchPair`` of the
    two items, each resolved as by :class:`SeededDataset`: the one place a
    training pair is packed. A single :class:`Draw` or ``int`` gives one
    item. A wrapped set that takes whole batches gets each half of a batch
    of pairs as a list.
    """

    def prepare(self, draw: Any) -> Any:
        if isinstance(draw, BranchPair):
            return BranchPair(*map(super().prepare, draw))
        return super().prepare(draw)

    def __getitems__(self, draws: List[Any]) -> Any:
        batched = getattr(self.dataset, '__getitems__', None)
        if batched is None or not all(
                isinstance(d, BranchPair) for d in draws):
            return super().__getitems__(draws)
        return BranchPair(*(batched(list(half)) for half in zip(*draws)))
