"""The dataset wrapper that turns an index pair into a BBN training pair."""
import copy
from typing import Any, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmbbn.registry import DATASETS
from mmbbn.structures import BranchPair
from .labels import get_gt_labels


@DATASETS.register_module()
class DualSampleDataset:
    """Wraps any MMPretrain data set to give BBN's training pairs.

    Indexed with a pair ``(i, j)`` (as :class:`DualSampler` yields them) it
    returns ``BranchPair(conventional=dataset[i], rebalancing=dataset[j])``:
    both items go through the wrapped data set's own pipeline. This is the
    one place a training pair is packed. Indexed with a single ``int`` it
    returns ``dataset[i]``, so browsing and analysis tools work on it.

    Args:
        dataset (dict | BaseDataset): The training set or its config.
        lazy_init (bool): Defer loading the wrapped set's annotations.
            Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 lazy_init: bool = False) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset
        self._metainfo = copy.deepcopy(dataset.metainfo)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """Meta information of the wrapped data set."""
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Load the wrapped data set's annotations."""
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        self._fully_initialized = True

    def get_gt_labels(self) -> np.ndarray:
        """Class of every item of the wrapped data set."""
        return get_gt_labels(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        """Annotation of item ``idx`` of the wrapped data set."""
        return self.dataset.get_data_info(idx)

    def pair_item(self, uniform: int, rebalanced: int) -> BranchPair:
        """The training pair of two items.

        Args:
            uniform (int): Index drawn by the uniform sampler.
            rebalanced (int): Index drawn by the re-balancing sampler.

        Returns:
            BranchPair: Both items after the pipeline.
        """
        return BranchPair(
            conventional=self.dataset[uniform],
            rebalancing=self.dataset[rebalanced])

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, tuple):
            return self.pair_item(*idx)
        return self.dataset[idx]

    def __len__(self) -> int:
        return len(self.dataset)

    def __repr__(self) -> str:
        return f'DualSampleDataset(\n{self.dataset!r}\n)'


__all__ = ['DualSampleDataset']
