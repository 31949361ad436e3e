"""Digits-LT: a long-tailed set built from scikit-learn's bundled digits."""
from typing import List, Optional

import numpy as np
from mmengine.logging import MMLogger
from mmpretrain.datasets import BaseDataset

from mmbbn.registry import DATASETS
from .long_tail import indices_digest, long_tail_counts, select_long_tail


def load_sklearn_digits() -> tuple:
    """The 1,797 8x8 handwritten digits that ship inside scikit-learn.

    Returns:
        tuple: ``(images, labels)``: uint8 (N, 8, 8) scaled from 0..16 to
        0..255, and int64 (N, ).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError('DigitsLT needs scikit-learn, which carries the '
                          'digits: pip install scikit-learn') from None
    digits = load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)
    return images, digits.target.astype(np.int64)


@DATASETS.register_module()
class DigitsLT(BaseDataset):
    """A long-tailed digit set that needs no download.

    The UCI handwritten digits bundled with scikit-learn (1,797 grey 8x8
    images, 10 classes, 174-183 per class) are split once with a fixed seed:
    ``test_per_class`` images of every class form the balanced test split;
    from the rest, the training split keeps an exponential long-tailed
    profile (the LDAM-DRW generator) whose largest class has as many images
    as the smallest class has left. At the defaults (IF 20, 50 test images
    per class) the training counts are
    ``[124, 88, 63, 45, 32, 23, 16, 12, 8, 6]`` (417 images) and the test
    split has 500.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        imbalance_factor (float): ``n_max / n_min``, at least 1.
            Defaults to 20.
        test_per_class (int): Held-out test images per class. Defaults to 50.
        profile (str): ``'exp'`` (default) or ``'step'``.
        seed (int): Seed of the split and of the subset. Defaults to 0.
        **kwargs: Other arguments of :class:`BaseDataset`.
    """

    METAINFO = {'classes': tuple(str(d) for d in range(10))}

    def __init__(self,
                 split: str = 'train',
                 imbalance_factor: float = 20,
                 test_per_class: int = 50,
                 profile: str = 'exp',
                 seed: Optional[int] = 0,
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(f"DigitsLT: split={split!r} is not 'train' or "
                             "'test'")
        if not 1 <= test_per_class <= 150:
            raise ValueError(f'DigitsLT: test_per_class={test_per_class!r} '
                             'must be in 1..150')
        try:
            long_tail_counts(1.0, 2, imbalance_factor, profile)
        except ValueError as e:
            raise ValueError(f'DigitsLT: {e}') from None
        self.split = split
        self.imbalance_factor = imbalance_factor
        self.test_per_class = test_per_class
        self.profile = profile
        self.seed = seed
        self.subset_counts: Optional[List[int]] = None
        self.subset_digest: Optional[str] = None
        kwargs.setdefault('data_root', '')
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        """Split the digits and keep this split's items.

        Returns:
            list[dict]: ``img`` (8x8 uint8, grey) and ``gt_label`` per item.
        """
        images, labels = load_sklearn_digits()
        num_classes = len(self.METAINFO['classes'])
        rng = np.random.RandomState(self.seed)
        test, pool = [], []
        for cls in range(num_classes):
            idx = rng.permutation(np.flatnonzero(labels == cls))
            test.append(idx[:self.test_per_class])
            pool.append(idx[self.test_per_class:])
        if self.split == 'test':
            keep = np.concatenate(test)
        else:
            pool_idx = np.concatenate(pool)
            n_max = min(len(p) for p in pool)
            counts = long_tail_counts(n_max, num_classes,
                                      self.imbalance_factor, self.profile)
            chosen = select_long_tail(labels[pool_idx], counts, 'shuffle',
                                      self.seed)
            keep = pool_idx[chosen]
            self.subset_counts = counts
            self.subset_digest = indices_digest(keep)
            MMLogger.get_current_instance().info(
                f'DigitsLT train: {len(keep)} images, IF '
                f'{self.imbalance_factor} {self.profile}; per class '
                f'{counts}; subset digest {self.subset_digest}')
        return [{
            'img': images[i],
            'gt_label': int(labels[i])
        } for i in keep]


__all__ = ['DigitsLT', 'load_sklearn_digits']
