"""The device-resident data set: the same images, one gather per batch."""
import os.path as osp
import re
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import BaseDataset

from mmbbn.datasets import (CIFAR10LT, DeviceResidentDataset,
                            use_device_resident)
from mmbbn.datasets.device_resident import batch_augments_of
from mmbbn.registry import DATASETS, FUNCTIONS
from mmbbn.structures import BatchDataSample, Draw
from ..conftest import CONFIGS


def tiny_cifar(root, split='train', **kwargs):
    return dict(dataset_type='CIFAR10LT', data_root=root, split=split,
                imbalance_factor=4, check_md5=False,
                pipeline=[dict(type='PackInputs')], **kwargs)


def test_it_holds_the_per_item_images_and_labels(cifar10_tiny):
    held = DeviceResidentDataset(**tiny_cifar(cifar10_tiny))
    plain = CIFAR10LT(data_root=cifar10_tiny, imbalance_factor=4,
                      check_md5=False, pipeline=[dict(type='PackInputs')])
    assert len(held) == len(plain) and held.images.dtype == torch.uint8
    assert held.images.shape == (len(plain), 3, 32, 32)
    for i in (0, 7, len(plain) - 1):
        item = plain[i]
        assert torch.equal(held.images[i], item['inputs'])
        assert int(held.labels[i]) == int(item['data_samples'].gt_label)
    assert held.metainfo['classes'] == plain.metainfo['classes']
    assert np.array_equal(held.get_gt_labels(), plain.get_gt_labels())
    # One item through the held set's own pipeline, for browsing.
    assert torch.equal(held[3]['inputs'], plain[3]['inputs'])


def test_a_batch_of_draws_is_one_gather_with_seeds(cifar10_tiny):
    held = DATASETS.build(dict(type='DeviceResidentDataset',
                               **tiny_cifar(cifar10_tiny)))
    draws = [Draw(5, 11), Draw(0, 2**64 - 1), Draw(5, -3)]
    batch = held.__getitems__(draws)
    assert set(batch) == {'inputs', 'data_samples', 'seeds'}
    assert torch.equal(batch['inputs'], held.images[[5, 0, 5]])
    (sample, ) = batch['data_samples']
    assert isinstance(sample, BatchDataSample)
    assert sample.gt_label.tolist() == held.labels[[5, 0, 5]].tolist()
    # Seeds wrap into int64 bit for bit (2**64 - 1 is -1).
    assert batch['seeds'].tolist() == [11, -1, -3]
    assert batch['seeds'].dtype == torch.int64


def test_evaluation_indices_give_no_seeds(cifar10_tiny):
    held = DeviceResidentDataset(**tiny_cifar(cifar10_tiny, split='test'))
    batch = held.__getitems__([3, 1, 2])
    assert 'seeds' not in batch
    assert torch.equal(batch['inputs'], held.images[[3, 1, 2]])
    assert FUNCTIONS.get('identity_collate')(batch) is batch


class Items(BaseDataset):
    """A data set of the given items (tests of bad input)."""

    METAINFO = dict(classes=('a', 'b'))

    def __init__(self, items, **kwargs):
        self.items = items
        super().__init__(ann_file='', serialize_data=False, **kwargs)

    def load_data_list(self):
        return self.items


def one_line(excinfo):
    message = str(excinfo.value)
    assert '\n' not in message
    return message


def test_files_are_not_a_small_image_set():
    items = [dict(img_path=f'{i}.jpg', gt_label=0) for i in range(3)]
    with pytest.raises(ValueError, match='holds no decoded images') as e:
        DeviceResidentDataset(dataset=Items(items))
    assert 'Items' in one_line(e) and 'img_path' in one_line(e)


def test_large_images_are_not_a_small_image_set():
    items = [dict(img=np.zeros((224, 224, 3), np.uint8), gt_label=0)]
    with pytest.raises(ValueError, match='224x224x3') as e:
        DeviceResidentDataset(dataset=Items(items))
    assert 'max_side=64' in one_line(e)


def test_images_of_mixed_size_are_refused():
    items = [dict(img=np.zeros((32, 32, 3), np.uint8), gt_label=0),
             dict(img=np.zeros((32, 32, 3), np.uint8), gt_label=1),
             dict(img=np.zeros((28, 28, 3), np.uint8), gt_label=1)]
    with pytest.raises(ValueError, match='mixed size') as e:
        DeviceResidentDataset(dataset=Items(items))
    assert 'item 2 is 28x28x3' in one_line(e)


def test_not_enough_device_memory_is_refused_before_training(cifar10_tiny):
    with mock.patch('mmbbn.datasets.device_resident.free_memory',
                    return_value=2**20):
        with pytest.raises(ValueError, match='MiB on cpu') as e:
            DeviceResidentDataset(**tiny_cifar(cifar10_tiny))
    assert 'CIFAR10LT (train)' in one_line(e)


def test_a_pipeline_it_cannot_run_is_refused(cifar10_tiny):
    cfg = tiny_cifar(cifar10_tiny)
    cfg['pipeline'] = [dict(type='RandomCrop', crop_size=32, padding=4),
                       dict(type='PackInputs')]
    with pytest.raises(ValueError, match='RandomCrop') as e:
        DeviceResidentDataset(**cfg)
    assert 'augments' in one_line(e)


def test_per_item_pipelines_translate_to_seeded_augments():
    augments = batch_augments_of([
        dict(type='RandomCrop', crop_size=32, padding=4),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        dict(type='PackInputs')
    ], 'train_dataloader.dataset.pipeline')
    assert augments == [
        dict(type='BatchRandomCrop', crop_size=32, padding=4, pad_val=0),
        dict(type='BatchRandomFlip', prob=0.5, direction='horizontal')
    ]
    with pytest.raises(ValueError, match='ColorJitter') as e:
        batch_augments_of([dict(type='ColorJitter', brightness=0.4)],
                          'train_dataloader.dataset.pipeline')
    assert 'train_dataloader.dataset.pipeline' in one_line(e)
    with pytest.raises(ValueError, match='RandomCrop'):
        batch_augments_of([dict(type='RandomCrop', crop_size=32,
                                padding=4, padding_mode='reflect')], 'p')


def device_variant(tmp_path, leaf: str, dataset_base: str) -> Config:
    """``leaf`` with its dataset base swapped for the device variant."""
    path = osp.join(CONFIGS, leaf)

    def absolute(match):
        rel = match.group(1).replace(f'datasets/{dataset_base}.py',
                                     f'datasets/{dataset_base}_device.py')
        return repr(osp.normpath(osp.join(osp.dirname(path), rel)))

    text = re.sub(r"'([^']*\.py)'", absolute, open(path).read())
    out = tmp_path / osp.basename(path)
    out.write_text(text)
    return Config.fromfile(str(out))


@pytest.mark.parametrize('leaf', [
    'bbn/bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py',
    'baselines/ce/resnet32_1xb128-200e_cifar10-lt-ir100.py',
    'bbn/bbn_resnet32_1xb32-200e_digits-lt.py',
])
def test_use_device_resident_writes_what_the_device_bases_hold(
        tmp_path, leaf):
    base = 'digits_lt' if 'digits' in leaf else 'cifar10_lt'
    switched = use_device_resident(Config.fromfile(osp.join(CONFIGS, leaf)))
    variant = device_variant(tmp_path, leaf, base)
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                  'data_preprocessor'):
        got, want = switched[field].to_dict(), variant[field].to_dict()
        if field != 'data_preprocessor':
            got.pop('batch_size'), want.pop('batch_size')
        assert got == want, field
    assert switched.val_cfg.type == 'BatchedValLoop'
    assert switched.test_cfg.type == 'BatchedTestLoop'
    # Applying it again changes nothing.
    again = use_device_resident(Config.fromfile(osp.join(CONFIGS, leaf)))
    use_device_resident(again)
    assert again.train_dataloader == switched.train_dataloader


def test_plain_training_gets_seeded_draws_from_the_same_indices():
    cfg = use_device_resident(Config.fromfile(osp.join(
        CONFIGS, 'baselines', 'ce',
        'resnet32_1xb128-200e_cifar10-lt-ir50.py')))
    loader = cfg.train_dataloader
    assert loader.sampler.type == 'SeededSampler'
    assert loader.sampler.shuffle is True
    assert loader.dataset.type == 'SeededDataset'
    assert loader.dataset.dataset.type == 'DeviceResidentDataset'
    assert loader.dataset.dataset.imbalance_factor == 50
    # The wrapper stays; the set it wraps is the one held on the device.
    cfg = Config(dict(train_dataloader=dict(
        dataset=dict(type='SeededDataset', dataset=dict(
            type='CIFAR10LT', pipeline=[dict(type='PackInputs')])),
        sampler=dict(type='SeededSampler'))))
    use_device_resident(cfg)
    assert cfg.train_dataloader.dataset.type == 'SeededDataset'
    held = cfg.train_dataloader.dataset.dataset
    assert held.type == 'DeviceResidentDataset'
    assert held.dataset_type == 'CIFAR10LT'


def test_the_imbalance_factor_of_a_leaf_reaches_the_held_set():
    cfg = use_device_resident(Config.fromfile(osp.join(
        CONFIGS, 'bbn', 'bbn_resnet32_1xb128-200e_cifar10-lt-ir10.py')))
    held = cfg.train_dataloader.dataset.dataset
    assert held.type == 'DeviceResidentDataset'
    assert (held.dataset_type, held.imbalance_factor) == ('CIFAR10LT', 10)
    assert cfg.train_dataloader.dataset.type == 'DualSampleDataset'
    assert cfg.train_dataloader.sampler.type == 'DualSampler'


def test_a_loader_hands_the_samplers_draws_to_one_gather(cifar10_tiny):
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmpretrain')
    cfg = use_device_resident(Config.fromfile(osp.join(
        CONFIGS, 'baselines', 'ce',
        'resnet32_1xb128-200e_cifar10-lt-ir100.py')))
    loader_cfg = cfg.train_dataloader
    loader_cfg.dataset.dataset.update(data_root=cifar10_tiny,
                                      check_md5=False, imbalance_factor=4)
    loader_cfg.batch_size = 8
    loader = Runner.build_dataloader(loader_cfg, seed=3)
    draws = list(loader.sampler)[:8]
    batch = next(iter(loader))
    held = loader.dataset.dataset
    assert torch.equal(batch['inputs'], held.images[[d.index for d in draws]])
    assert batch['seeds'].tolist() == [d.seed for d in draws]


def test_grey_digits_are_held_as_one_channel():
    from mmbbn.datasets import DigitsLT
    held = DeviceResidentDataset(dataset_type='DigitsLT', split='test',
                                 pipeline=[dict(type='PackInputs')])
    plain = DigitsLT(split='test', pipeline=[dict(type='PackInputs')])
    assert held.images.shape == (len(plain), 1, 8, 8)
    assert torch.equal(held.images[11], plain[11]['inputs'])
