"""STAND-IN for the sampler interface being merged (Draw, seeded samplers).

Removed once ``mmbbn.structures.Draw``, ``SeededSampler``,
``SeededDataset`` and ``DualSampleDataset.__getitems__`` are in main.
"""
from collections import namedtuple

from mmengine.dataset import DefaultSampler

from mmbbn.datasets import DualSampleDataset, DualSampler
from mmbbn.registry import DATA_SAMPLERS, DATASETS
from mmbbn.structures import BranchPair

Draw = namedtuple('Draw', ['index', 'seed'])


def _seed(*parts) -> int:
    return hash(parts) & 0xFFFFFFFF


@DATA_SAMPLERS.register_module(force=True)
class StandinSeededSampler(DefaultSampler):

    def __iter__(self):
        for k, i in enumerate(super().__iter__()):
            yield Draw(i, _seed(self.seed, self.epoch, self.rank, k))


@DATA_SAMPLERS.register_module(force=True)
class StandinDualSampler(DualSampler):

    def __iter__(self):
        for k, (i, j) in enumerate(super().__iter__()):
            yield BranchPair(
                Draw(i, _seed(self.seed, self.epoch, self.rank, k, 0)),
                Draw(j, _seed(self.seed, self.epoch, self.rank, k, 1)))


@DATASETS.register_module(force=True)
class StandinSeededDataset:

    def __init__(self, dataset):
        self.dataset = DATASETS.build(dataset)
        self.metainfo = self.dataset.metainfo

    def get_gt_labels(self):
        return self.dataset.get_gt_labels()

    def __len__(self):
        return len(self.dataset)

    def __getitems__(self, draws):
        return self.dataset.__getitems__(draws)


@DATASETS.register_module(force=True)
class StandinDualSampleDataset(DualSampleDataset):

    def __getitems__(self, draws):
        return BranchPair(
            self.dataset.__getitems__([d.conventional for d in draws]),
            self.dataset.__getitems__([d.rebalancing for d in draws]))


def use_standin(cfg) -> None:
    """The train loader of ``cfg`` on the stand-in samplers and wrappers."""
    loader = cfg.train_dataloader
    if loader.sampler.type == 'DualSampler':
        loader.sampler.type = 'StandinDualSampler'
        loader.dataset.type = 'StandinDualSampleDataset'
    else:
        loader.sampler.type = 'StandinSeededSampler'
        loader.dataset = dict(type='StandinSeededDataset',
                              dataset=loader.dataset)
