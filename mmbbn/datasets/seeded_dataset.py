"""The training wrapper that resolves a sampler's :class:`Draw`."""
import copy
import random
from contextlib import contextmanager
from typing import Any, Iterator, List, Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset

from mmbbn.registry import DATASETS
from mmbbn.structures import Draw
from .labels import get_gt_labels


def seed_generators(seed: int) -> None:
    """Seed NumPy's, Python's and torch's (CPU) global generators.

    The transforms of MMCV and MMPretrain draw from NumPy's global state,
    others from Python's ``random`` or torch's default CPU generator.
    """
    np.random.seed(seed)
    random.seed(seed)
    torch.default_generator.manual_seed(seed)


@contextmanager
def kept_random_state() -> Iterator[None]:
    """Restore the generators of :func:`seed_generators` after the block.

    So a main process that loads items itself (``num_workers=0``) draws
    afterwards as if no item had been loaded. Saving NumPy's state costs
    about 0.1 ms, so batches keep it once, not per item.
    """
    np_state, py_state = np.random.get_state(), random.getstate()
    torch_state = torch.default_generator.get_state()
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
        torch.default_generator.set_state(torch_state)


def is_index(idx: Any) -> bool:
    """Whether ``idx`` is a plain item index (not a draw)."""
    return isinstance(idx, (int, np.integer))


class DatasetWrapper:
    """Base of the wrappers: builds the wrapped set, keeps its metainfo.

    Args:
        dataset (dict | BaseDataset): The data set or its config.
        lazy_init (bool): Defer :meth:`full_init`. Defaults to False.
    """

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
        """Meta information of the wrapped data set."""
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Load the wrapped data set's annotations (once)."""
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        self._fully_initialized = True


@DATASETS.register_module()
class SeededDataset(DatasetWrapper):
    """Wraps a training set so that each draw's augmentation is seeded.

    Indexed with a :class:`Draw` (as :class:`SeededSampler` and
    :class:`ClassAwareSampler` yield them) it returns
    ``dataset[draw.index]`` with the global generators seeded by
    ``draw.seed`` (their states restored afterwards); indexed with an
    ``int`` it returns ``dataset[idx]``, so browsing tools work on it. A
    wrapped set that takes whole batches (``__getitems__``) gets each batch
    of draws as a list and applies their seeds itself.

    Args:
        dataset (dict | BaseDataset): The training set or its config.
        lazy_init (bool): Defer loading the wrapped set's annotations.
            Defaults to False.
    """

    def get_gt_labels(self) -> np.ndarray:
        return get_gt_labels(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def prepare(self, draw: Union[Draw, int]) -> Any:
        """One item: a draw with its seed (generators left seeded), a plain
        index as it is."""
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


__all__ = [
    'DatasetWrapper', 'SeededDataset', 'is_index', 'kept_random_state',
    'seed_generators'
]
