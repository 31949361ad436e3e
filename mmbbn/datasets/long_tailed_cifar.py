"""CIFAR-10-LT and CIFAR-100-LT: MMPretrain's CIFAR, long-tailed."""
import pickle
from typing import List, Optional

import numpy as np
from mmengine.fileio import exists, get, join_path
from mmpretrain.datasets import CIFAR10, CIFAR100
from mmpretrain.datasets.utils import check_md5

from mmbbn.registry import DATASETS
from .long_tail import LongTailed, long_tail_counts


class _LongTailCIFARMixin(LongTailed):
    """MMPretrain's CIFAR whose training split is long-tailed (LDAM-DRW).

    Items are 32x32x3 uint8 RGB images. The test split stays whole; the
    training split keeps the subset of :meth:`LongTailed.keep_long_tail`
    with ``n_max = N / C``.

    Args:
        data_root (str): Folder holding the extracted CIFAR folder.
        imbalance_factor (float): ``n_max / n_min`` of the training split,
            at least 1 (1 keeps every image).
        selection (str): ``'shuffle'`` (LDAM-DRW) or ``'first'`` (the first
            ``n_i`` images of each class in file order).
        seed (int, optional): Seed of ``'shuffle'``; 0 is the protocol's,
            None gives an unreproducible subset.
        check_md5 (bool): Compare each file with the official release's
            md5. Turn off for re-encoded copies.
        profile (str): ``'exp'`` or ``'step'``.
        **kwargs: Other arguments of MMPretrain's CIFAR (``split``;
            ``download``, here False by default).
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
        if split not in ('train', 'test'):
            raise ValueError(f"{type(self).__name__}: split={split!r} is not "
                             "'train' or 'test'")
        self.set_long_tail(imbalance_factor, profile, selection, seed)
        self.check_md5 = check_md5
        super().__init__(
            data_root=data_root, split=split, download=download, **kwargs)

    def _split_files(self) -> List[tuple]:
        files = self.train_list if self.split == 'train' else self.test_list
        return [(join_path(self.data_prefix['root'], self.base_folder, f),
                 md5) for f, md5 in files]

    def _check_integrity(self) -> bool:
        """Whether this split's files are there (and official, if checked).

        A missing file without ``download`` or an md5 mismatch is one line
        naming the file; files found good are not checked again.
        """
        if getattr(self, '_files_checked', False):
            return True
        name = type(self).__name__
        for path, md5 in self._split_files():
            if not exists(path):
                if self.download:
                    return False
                raise FileNotFoundError(
                    f'{name}: CIFAR file {path} not found (data_root='
                    f"{self.data_prefix['root']!r}; set download=True to "
                    'fetch the archive)')
            if self.check_md5 and not check_md5(path, md5):
                raise ValueError(
                    f'{name}: {path} has not the official md5 {md5}; set '
                    'check_md5=False for a re-encoded copy')
        self._files_checked = True
        return True

    def load_data_list(self) -> List[dict]:
        self._check_integrity()  # a missing or altered file, in one line
        root = self.data_prefix['root']
        try:
            data_list = super().load_data_list()
        except Exception as error:  # pickle raises many types on bad bytes
            # One line naming the first of the split's files that fails.
            for path, _ in self._split_files():
                try:
                    keys = set(pickle.loads(get(path), encoding='latin1'))
                except Exception as e:
                    raise ValueError(f'{path}: not a readable CIFAR pickle '
                                     f'({type(e).__name__}: {e})') from None
                if 'data' not in keys or not keys & {'labels',
                                                     'fine_labels'}:
                    raise ValueError(f'{path}: a CIFAR pickle has data and '
                                     f'labels, this one {sorted(keys)}')
            raise ValueError(f'{root}: CIFAR files not readable '
                             f'({type(error).__name__}: {error})') from None
        labels = np.array([d['gt_label'] for d in data_list], np.int64)
        num_classes = len(self.CLASSES)
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f'{root}: CIFAR label {labels.max()} outside the '
                             f'{num_classes} classes')
        if self.split != 'train':
            return data_list
        counts = long_tail_counts(
            len(labels) / num_classes, num_classes, self.imbalance_factor,
            self.profile)
        keep = self.keep_long_tail(f'{type(self).__name__} train', labels,
                                   counts)
        return [data_list[i] for i in keep]

    def extra_repr(self) -> List[str]:
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
