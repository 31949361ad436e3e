"""A small-image data set held as one uint8 tensor on the training device.

For 32 x 32 images on a GPU, decoding, augmenting and packing every item in
Python costs more than the training step. :class:`DeviceResidentDataset`
reads the images once into one tensor and answers a batch of draws with one
gather; the random crop and flip run on the batch in
:class:`SeededDataPreprocessor`, each item's draw from its ``Draw.seed``.
Samplers, pairs and rank splitting are unchanged.
:func:`use_device_resident` switches a config to this path.
"""
import os
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger
from torch.utils.data import get_worker_info

from mmbbn.registry import DATASETS, FUNCTIONS
from mmbbn.structures import BatchDataSample, Draw
from .labels import get_gt_labels
from .wrappers import SeededDataset

INT64 = 2**63
# Transforms the device path may leave in a pipeline: packing, and
# ConvertImageFile, which changes only images read from files.
PASSIVE = ('PackInputs', 'ConvertImageFile')
PREPROCESSORS = ('ClsDataPreprocessor', 'BBNDataPreprocessor',
                 'SeededDataPreprocessor')


@FUNCTIONS.register_module()
def identity_collate(batch):
    """The collate function of a data set that collates its own batches."""
    return batch


def free_memory(device: torch.device) -> int:
    """Bytes free on ``device`` (CUDA), or available RAM (CPU)."""
    if device.type == 'cuda':
        return torch.cuda.mem_get_info(device)[0]
    return os.sysconf('SC_AVPHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')


def _shape(image: np.ndarray) -> str:
    return 'x'.join(map(str, image.shape))


@DATASETS.register_module()
class DeviceResidentDataset(SeededDataset):
    """A small-image data set as one uint8 tensor, gathered batch by batch.

    Built from a data set whose items hold decoded images (``img``, as
    CIFAR-LT and Digits-LT do). ``__getitems__(draws)`` returns
    ``dict(inputs=uint8 (B, C, H, W), data_samples=[BatchDataSample],
    seeds=int64 (B, ))`` on the device (``seeds`` for ``Draw``\\ s only).
    The wrapped set's pipeline is not run (it may hold :data:`PASSIVE`
    transforms only), except by ``dataset[i]``, for browsing. Use it with
    ``num_workers=0``, ``pin_memory=False`` and ``identity_collate``.

    Args:
        dataset_type (str, optional): Type of the data set to hold, built
            with ``**dataset_kwargs`` (so its fields stay where a per-item
            config has them).
        dataset (dict | BaseDataset, optional): Or the data set itself.
        device (str): ``'auto'``, ``'cpu'``, ``'cuda'``, ``'cuda:N'``.
        max_side (int): Images larger than this are not a small-image set.
        memory_fraction (float): The images may take at most this fraction
            of the device's free memory.
        lazy_init (bool): Defer reading the images.
    """

    def __init__(self,
                 dataset_type: Optional[str] = None,
                 dataset: Union[dict, BaseDataset, None] = None,
                 device: str = 'auto',
                 max_side: int = 64,
                 memory_fraction: float = 0.5,
                 lazy_init: bool = False,
                 **dataset_kwargs) -> None:
        if (dataset is None) == (dataset_type is None):
            raise ValueError('DeviceResidentDataset: give either '
                             'dataset_type=... (with its arguments) or '
                             'dataset=...')
        if dataset is None:
            dataset = dict(type=dataset_type, **dataset_kwargs)
        elif dataset_kwargs:
            raise ValueError('DeviceResidentDataset: arguments '
                             f'{sorted(dataset_kwargs)} need dataset_type')
        self.device = device
        self.max_side = max_side
        self.memory_fraction = memory_fraction
        self.images: Optional[torch.Tensor] = None
        self.labels: Optional[torch.Tensor] = None
        super().__init__(dataset, lazy_init=lazy_init)

    @property
    def name(self) -> str:
        """The held data set's name (and split) for messages."""
        split = getattr(self.dataset, 'split', None)
        name = type(self.dataset).__name__
        return f'{name} ({split})' if split else name

    def _read_images(self) -> np.ndarray:
        """Every item's ``img``, checked to be one small uint8 shape."""
        prefix = f'DeviceResidentDataset: {self.name}'
        if not len(self.dataset):
            raise ValueError(f'{prefix} is empty')
        first = self.dataset.get_data_info(0)
        if 'img' not in first:
            raise ValueError(
                f'{prefix} holds no decoded images (its items have '
                f'{", ".join(sorted(first))}): not a small-image set held in '
                'memory, such as CIFAR-LT or Digits-LT; use the per-item '
                'pipeline')
        image = np.asarray(first['img'])
        if max(image.shape[:2]) > self.max_side:
            raise ValueError(
                f'{prefix} has images of {_shape(image)}, larger than '
                f'max_side={self.max_side}: not a small-image set; use the '
                'per-item pipeline')
        if image.dtype != np.uint8:
            raise ValueError(f'{prefix} has {image.dtype} images; the device '
                             'path holds uint8 images')
        images = [np.asarray(self.dataset.get_data_info(i)['img'])
                  for i in range(len(self.dataset))]
        for i, other in enumerate(images):
            if other.shape != image.shape or other.dtype != image.dtype:
                raise ValueError(
                    f'{prefix} has images of mixed size (item 0 is '
                    f'{_shape(image)} {image.dtype}, item {i} is '
                    f'{_shape(other)} {other.dtype}); the device path holds '
                    'one tensor of one size')
        stacked = np.stack(images)
        return stacked[..., None] if stacked.ndim == 3 else stacked

    def full_init(self) -> None:
        """Read the images and labels into device tensors (once)."""
        if self.images is not None:
            return
        super().full_init()
        images = self._read_images()
        transforms = getattr(getattr(self.dataset, 'pipeline', None),
                             'transforms', None) or []
        others = [type(t).__name__ for t in transforms
                  if type(t).__name__ not in PASSIVE]
        if others:
            raise ValueError(
                f'DeviceResidentDataset: the pipeline of {self.name} has '
                f'{", ".join(others)}, which the device path does not run; '
                'name seeded batch augments (BatchRandomCrop, '
                'BatchRandomFlip) in data_preprocessor.augments and keep '
                "pipeline=[dict(type='PackInputs')]")
        device = self.device
        if device == 'auto':
            device = 'cuda' if torch.cuda.is_available() else 'cpu'
        device = torch.device(device)
        if device.type == 'cuda' and device.index is None:
            device = torch.device('cuda', torch.cuda.current_device())
        need, free = images.nbytes + 8 * len(images), free_memory(device)
        if need > self.memory_fraction * free:
            raise ValueError(
                f'DeviceResidentDataset: {self.name} needs '
                f'{need / 2**20:.1f} MiB on {device}, more than '
                f'memory_fraction={self.memory_fraction} of the '
                f'{free / 2**20:.1f} MiB free; use the per-item pipeline')
        self.images = torch.from_numpy(images).permute(
            0, 3, 1, 2).contiguous().to(device)
        self.labels = torch.from_numpy(get_gt_labels(self.dataset)).to(device)
        n, c, h, w = self.images.shape
        MMLogger.get_current_instance().info(
            f'DeviceResidentDataset: {self.name} held on {device}, {n} '
            f'images {c}x{h}x{w} uint8 ({need / 2**20:.1f} MiB)')

    def _to_device(self, values: List[int]) -> torch.Tensor:
        tensor = torch.tensor(values, dtype=torch.int64)
        if self.images.is_cuda:
            # A copy from pageable memory would wait for the device.
            return tensor.pin_memory().to(self.images.device,
                                          non_blocking=True)
        return tensor

    def __getitems__(self, draws: Sequence) -> dict:
        """One batch of the sampler's draws (training) or item indices."""
        self.full_init()
        if self.images.is_cuda and get_worker_info() is not None:
            raise RuntimeError(
                f'DeviceResidentDataset: {self.name} is held on '
                f'{self.images.device}; its loader needs num_workers=0')
        seeded = bool(draws) and isinstance(draws[0], Draw)
        index = self._to_device(
            [int(d.index) if seeded else int(d) for d in draws])
        sample = BatchDataSample().set_gt_label(
            self.labels.index_select(0, index))
        batch = dict(inputs=self.images.index_select(0, index),
                     data_samples=[sample])
        if seeded:  # uint64 seeds wrapped into int64, bit for bit
            batch['seeds'] = self._to_device(
                [(int(d.seed) + INT64) % (2 * INT64) - INT64 for d in draws])
        return batch

    def __repr__(self) -> str:
        return (f'DeviceResidentDataset(device={self.device!r},\n'
                f'{self.dataset!r}\n)')


def _short(type_name) -> str:
    return type_name.split('.')[-1] if isinstance(type_name, str) else ''


def batch_augments_of(pipeline: Sequence[dict], where: str) -> List[dict]:
    """The ``BatchRandomCrop`` / ``BatchRandomFlip`` configs that replace a
    per-item ``pipeline`` (at ``where`` in the config), in its order."""
    augments = []
    for step in pipeline:
        step = dict(step)
        kind = _short(step.pop('type', None))
        if kind in PASSIVE:
            continue
        if kind == 'RandomCrop' and step.get(
                'padding_mode', 'constant') == 'constant' and not step.get(
                    'pad_if_needed', False):
            augments.append(dict(
                type='BatchRandomCrop', crop_size=step['crop_size'],
                padding=step.get('padding'), pad_val=step.get('pad_val', 0)))
        elif kind == 'RandomFlip' and isinstance(step.get('prob'), float) \
                and step.get('direction', 'horizontal') in ('horizontal',
                                                            'vertical'):
            augments.append(dict(
                type='BatchRandomFlip', prob=step['prob'],
                direction=step.get('direction', 'horizontal')))
        else:
            raise ValueError(
                f'{where}: {kind}({step}) has no batch version on the device '
                'path (RandomCrop with constant padding, RandomFlip with one '
                'prob and direction, PackInputs, ConvertImageFile); keep the '
                'per-item pipeline')
    return augments


def use_device_resident(cfg: Config) -> Config:
    """Switch ``cfg`` (whose data sets hold small images in memory) to the
    device-resident data path, in place, as the ``*_device.py`` bases do.

    Each loader's innermost data set becomes a :class:`DeviceResidentDataset`
    of it; wrappers and samplers stay (``DefaultSampler`` becomes
    ``SeededSampler``, same indices). The training pipeline becomes the
    preprocessor's seeded ``augments``; the loaders get ``num_workers=0``,
    no pinning and ``identity_collate``; evaluation runs batched
    (``BatchedValLoop`` / ``BatchedTestLoop``). Applying it twice changes
    nothing. Returns ``cfg``.
    """
    augments = None
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(field)
        if not loader or not loader.get('dataset'):
            continue
        # The innermost set: a wrapper hands it whole batches of draws, so
        # a leaf's overrides reach it on both paths alike.
        holder, path = loader, f'{field}.dataset'
        while isinstance(holder['dataset'].get('dataset'), dict):
            holder, path = holder['dataset'], path + '.dataset'
        inner = holder['dataset']
        if _short(inner.get('type')) != 'DeviceResidentDataset':
            where = f'{path}.pipeline'
            found = batch_augments_of(inner.get('pipeline') or [], where)
            if field == 'train_dataloader':
                augments = found
            elif found:
                raise ValueError(f'{where}: random transforms in an '
                                 'evaluation pipeline')
            held = {k: v for k, v in inner.items()
                    if k not in ('type', 'pipeline')}
            passive = [t for t in inner.get('pipeline') or []
                       if _short(t.get('type')) in PASSIVE]
            holder['dataset'] = dict(
                type='DeviceResidentDataset', dataset_type=inner['type'],
                **held, pipeline=passive or [dict(type='PackInputs')])
        sampler = loader.get('sampler') or {}
        if field == 'train_dataloader' and _short(
                sampler.get('type')) == 'DefaultSampler':
            sampler['type'] = 'SeededSampler'
        loader.update(
            collate_fn=dict(type='identity_collate'), num_workers=0,
            persistent_workers=False, pin_memory=False)

    model = cfg.get('model', {})
    key_holder = model if model.get('data_preprocessor') else cfg
    pre = dict(key_holder.get('data_preprocessor') or {})
    if _short(pre.get('type', 'SeededDataPreprocessor')) not in PREPROCESSORS:
        raise ValueError(
            f'data_preprocessor.type={pre["type"]!r}: the device path needs '
            "SeededDataPreprocessor (a ClsDataPreprocessor that also takes "
            'BBN pairs and seeded batch augments)')
    pre['type'] = 'SeededDataPreprocessor'
    if augments is not None:
        pre['augments'] = augments
    key_holder['data_preprocessor'] = pre
    for field, loop in (('val_cfg', 'BatchedValLoop'),
                        ('test_cfg', 'BatchedTestLoop')):
        loop_cfg = cfg.get(field)
        if loop_cfg is not None and _short(loop_cfg.get('type')) in (
                '', 'ValLoop', 'TestLoop'):
            loop_cfg['type'] = loop
    return cfg
