"""Data sets, the training wrappers and samplers."""
from .device_resident import (DeviceResidentDataset, identity_collate,
                              use_device_resident)
from .digits_lt import DigitsLT
from .image_files import (ImageFileDataset, ImageNetLT, LongTailImageList,
                          PlacesLT)
from .inaturalist import INaturalist, INaturalist2017, INaturalist2018
from .labels import (class_counts, get_class_counts, get_gt_labels,
                     get_num_classes)
from .long_tail import (LongTailSubset, indices_digest, long_tail_counts,
                        select_long_tail)
from .long_tailed_cifar import CIFAR10LT, CIFAR100LT
from .samplers import (ClassAwareSampler, ClassIndex, DualSampler,
                       SeededSampler, epoch_rng, progressive_probs,
                       rebalance_probs)
from .transforms import ConvertImageFile
from .wrappers import (DualSampleDataset, SeededDataset, kept_random_state,
                       seed_generators)

__all__ = [
    'CIFAR100LT', 'CIFAR10LT', 'ClassAwareSampler', 'ClassIndex',
    'ConvertImageFile', 'DeviceResidentDataset', 'DigitsLT',
    'DualSampleDataset', 'DualSampler', 'INaturalist', 'INaturalist2017',
    'INaturalist2018', 'ImageFileDataset', 'ImageNetLT', 'LongTailImageList',
    'LongTailSubset', 'PlacesLT', 'SeededDataset', 'SeededSampler',
    'class_counts', 'epoch_rng', 'get_class_counts', 'get_gt_labels',
    'get_num_classes', 'identity_collate', 'indices_digest',
    'kept_random_state', 'long_tail_counts', 'progressive_probs',
    'rebalance_probs', 'seed_generators', 'select_long_tail',
    'use_device_resident'
]
