"""CIFAR-10-LT and CIFAR-100-LT read from the standard pickle files."""
import pickle
from typing import List, Optional

import numpy as np
from mmengine.fileio import exists, get, join_path
from mmengine.logging import MMLogger
from mmpretrain.datasets import CIFAR10, CIFAR100
from mmpretrain.datasets.utils import check_md5, download_and_extract_archive

from mmbbn.registry import DATASETS
from .long_tail import indices_digest, long_tail_counts, select_long_tail


class _LongTailCIFARMixin:
    """Long-tailed subset of the training split of a CIFAR data set.

    Reads ``cifar-10-batches-py`` / ``cifar-100-python`` under
    ``data_root``. Nothing is downloaded unless ``download=True``. The test
    split is returned whole and balanced; the training split becomes the
    long-tailed subset of the LDAM-DRW generator used by BBN (exponential
    profile, ``n_max = N / C``, one seeded shuffle per class in label
    order). The per-class counts and a digest of the chosen indices are
    logged, so two runs can be checked to train on the same subset.

    Images are given in BGR channel order, like every image MMCV loads from
    a file, so a config (``to_rgb=True`` in the data preprocessor) serves the
    pickles, image files and the inferencer alike.

    Args:
        data_root (str): Folder holding the extracted CIFAR folder.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        imbalance_factor (float): ``n_max / n_min`` of the training split,
            at least 1 (1 keeps every image). Defaults to 100.
        profile (str): ``'exp'`` (default) or ``'step'``.
        selection (str): ``'shuffle'`` (LDAM-DRW, default) or ``'first'``
            (the first ``n_i`` images of each class in file order).
        seed (int, optional): Seed of ``'shuffle'``. Defaults to 0, the
            protocol's. None gives an unreproducible subset.
        check_md5 (bool): Compare each file with the official release's
            md5. Turn off for re-encoded copies. Defaults to True.
        download (bool): Download the official archive if files are
            missing. Defaults to False.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`.
    """

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 imbalance_factor: float = 100,
                 profile: str = 'exp',
                 selection: str = 'shuffle',
                 seed: Optional[int] = 0,
                 check_md5: bool = True,
                 download: bool = False,
                 **kwargs) -> None:
        name = type(self).__name__
        if split not in ('train', 'test'):
            raise ValueError(f"{name}: split={split!r} is not 'train' or "
                             "'test'")
        # Validate the profile before any file is read.
        try:
            long_tail_counts(1.0, 2, imbalance_factor, profile)
            select_long_tail(np.zeros(0, np.int64), [], selection, 0)
        except ValueError as e:
            raise ValueError(f'{name}: {e}') from None
        self.imbalance_factor = imbalance_factor
        self.profile = profile
        self.selection = selection
        self.seed = seed
        self.check_md5 = check_md5
        self.subset_digest: Optional[str] = None
        self.subset_counts: Optional[List[int]] = None
        super().__init__(
            data_root=data_root, split=split, download=download, **kwargs)

    def _files(self) -> List[tuple]:
        files = self.train_list if self.split == 'train' else self.test_list
        meta = (self.meta['filename'], self.meta.get('md5'))
        return [tuple(f) for f in files] + [meta]

    def _check_files(self, root: str) -> None:
        name = type(self).__name__
        paths = [(join_path(root, self.base_folder, f), md5)
                 for f, md5 in self._files()]
        if self.download and not all(exists(p) for p, _ in paths):
            download_and_extract_archive(
                self.url, root, filename=self.filename, md5=self.tgz_md5)
        for path, md5 in paths:
            if not exists(path):
                raise FileNotFoundError(
                    f'{name}: CIFAR file {path} not found (data_root='
                    f'{root!r}; set download=True to fetch the archive)')
            if self.check_md5 and md5 and not check_md5(path, md5):
                raise ValueError(
                    f'{name}: {path} has not the official md5 {md5}; set '
                    'check_md5=False for a re-encoded copy')

    @staticmethod
    def _unpickle(path: str, key: str) -> dict:
        try:
            entry = pickle.loads(get(path), encoding='latin1')
        except Exception as e:  # pickle raises many types on bad bytes
            raise ValueError(f'{path}: not a readable CIFAR pickle '
                             f'({type(e).__name__}: {e})') from None
        if not isinstance(entry, dict) or key not in entry:
            raise ValueError(f'{path}: CIFAR pickle lacks the field {key!r}')
        return entry

    def load_data_list(self) -> List[dict]:
        """Read the split's pickles and keep the long-tailed subset.

        Returns:
            list[dict]: ``img`` (32x32x3 uint8, BGR) and ``gt_label``.
        """
        root = self.data_prefix['root']
        self._check_files(root)
        files = self.train_list if self.split == 'train' else self.test_list
        images, labels = [], []
        for file_name, _ in files:
            path = join_path(root, self.base_folder, file_name)
            entry = self._unpickle(path, 'data')
            label_key = 'labels' if 'labels' in entry else 'fine_labels'
            if label_key not in entry:
                raise ValueError(f'{path}: CIFAR pickle lacks the field '
                                 "'labels' (or 'fine_labels')")
            images.append(entry['data'])
            labels.extend(entry[label_key])
        # (N, 3072) RGB planes -> (N, 32, 32, 3) BGR, as MMCV loads images.
        images = np.vstack(images).reshape(-1, 3, 32, 32).transpose(
            0, 2, 3, 1)[..., ::-1]
        labels = np.asarray(labels, dtype=np.int64)
        if self.CLASSES is None:
            path = join_path(root, self.base_folder, self.meta['filename'])
            meta = self._unpickle(path, self.meta['key'])
            self._metainfo.setdefault('classes', meta[self.meta['key']])
        num_classes = len(self.CLASSES)
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f'{root}: CIFAR label {labels.max()} outside '
                             f'the {num_classes} classes')

        if self.split == 'train':
            counts = long_tail_counts(
                len(labels) / num_classes, num_classes,
                self.imbalance_factor, self.profile)
            keep = select_long_tail(labels, counts, self.selection, self.seed)
            self.subset_counts = counts
            self.subset_digest = indices_digest(keep)
            MMLogger.get_current_instance().info(
                f'{type(self).__name__} train: {len(keep)} images, IF '
                f'{self.imbalance_factor} {self.profile}/{self.selection} '
                f'seed {self.seed}; per class {counts}; subset digest '
                f'{self.subset_digest}')
        else:
            keep = np.arange(len(labels))
        return [{
            'img': np.ascontiguousarray(images[i]),
            'gt_label': int(labels[i])
        } for i in keep]

    def extra_repr(self) -> List[str]:
        """Lines added to ``repr``."""
        body = super().extra_repr()
        if self.split == 'train':
            body.append(f'Imbalance factor: \t{self.imbalance_factor} '
                        f'({self.profile}, {self.selection}, '
                        f'seed {self.seed})')
        return body


@DATASETS.register_module()
class CIFAR10LT(_LongTailCIFARMixin, CIFAR10):
    __doc__ = 'CIFAR-10-LT. ' + _LongTailCIFARMixin.__doc__


@DATASETS.register_module()
class CIFAR100LT(_LongTailCIFARMixin, CIFAR100):
    __doc__ = 'CIFAR-100-LT. ' + _LongTailCIFARMixin.__doc__


__all__ = ['CIFAR10LT', 'CIFAR100LT']
