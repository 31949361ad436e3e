"""Class-conditional drawing of items, built in O(N) from labels."""
from typing import Optional

import numpy as np

# How each re-balancing sampler weighs a class with N_i > 0 items.
REBALANCE_WEIGHTS = {
    'reversed': lambda n: n.max() / n,
    'balanced': lambda n: np.ones_like(n),
    'uniform': lambda n: n,
    'square-root': np.sqrt,
}


def rebalance_probs(counts: np.ndarray, sampler: str) -> np.ndarray:
    """Class probabilities of a re-balancing sampler.

    ``reversed`` (BBN): ``w_i = N_max / N_i``; ``balanced``: ``w_i = 1``;
    ``uniform``: ``w_i = N_i`` (every item equally likely);
    ``square-root``: ``w_i = sqrt(N_i)``. ``P_i = w_i / sum_j w_j``; classes
    without items get probability 0.

    Args:
        counts (np.ndarray): Items per class ``N_i``.
        sampler (str): One of :data:`REBALANCE_WEIGHTS`.

    Returns:
        np.ndarray: float64 probabilities summing to 1.
    """
    if sampler not in REBALANCE_WEIGHTS:
        raise ValueError(f'sampler={sampler!r} is not one of '
                         f'{", ".join(REBALANCE_WEIGHTS)}')
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    if not present.any():
        raise ValueError('no class has any item to draw')
    weights = np.zeros_like(counts)
    weights[present] = REBALANCE_WEIGHTS[sampler](counts[present])
    return weights / weights.sum()


class ClassIndex:
    """Item indices grouped by class, for class-first drawing.

    Built from the labels alone by a stable radix sort (O(N) for up to
    65,536 classes), so it costs tens of milliseconds at iNaturalist
    scale and never touches an image.

    Args:
        labels (np.ndarray): Class index of every item.
        num_classes (int): Number of classes.
    """

    def __init__(self, labels: np.ndarray, num_classes: int) -> None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.dtype.kind not in 'iu':
            raise ValueError('labels must be a 1-d integer array')
        if len(labels) and (labels.min() < 0
                            or labels.max() >= num_classes):
            raise ValueError(f'labels must lie in 0..{num_classes - 1}')
        key = labels.astype(np.uint16) if num_classes <= 65536 else labels
        self.order = np.argsort(key, kind='stable').astype(np.int64)
        self.counts = np.bincount(
            labels, minlength=num_classes).astype(np.int64)
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.counts)

    def draw(self, rng: np.random.Generator, probs: np.ndarray,
             size: int) -> np.ndarray:
        """Draw a class by ``probs``, then one of its items uniformly.

        With replacement; ``size`` draws at once, vectorised.

        Args:
            rng (np.random.Generator): The source of randomness.
            probs (np.ndarray): Class probabilities (0 for empty classes).
            size (int): Number of draws.

        Returns:
            np.ndarray: int64 item indices.
        """
        return self.pick(probs, rng.random(size), rng.random(size))

    def pick(self, probs: np.ndarray, class_u: np.ndarray,
             item_u: np.ndarray) -> np.ndarray:
        """Items chosen by uniform numbers: a class, then one of its items.

        Draw ``k`` depends on ``class_u[k]`` and ``item_u[k]`` only, so a
        caller that makes both from one stream row by row gets draws whose
        prefix does not depend on how many are drawn.

        Args:
            probs (np.ndarray): Class probabilities (0 for empty classes).
            class_u (np.ndarray): U[0, 1) numbers choosing the classes.
            item_u (np.ndarray): U[0, 1) numbers choosing the items.

        Returns:
            np.ndarray: int64 item indices.
        """
        cdf = np.cumsum(probs)
        classes = np.searchsorted(cdf, class_u * cdf[-1], side='right')
        np.minimum(classes, len(cdf) - 1, out=classes)
        offsets = (item_u * self.counts[classes]).astype(np.int64)
        return self.order[self.starts[classes] + offsets]

    def items_of(self, cls: int) -> np.ndarray:
        """Indices of the items of one class.

        Args:
            cls (int): A class index.

        Returns:
            np.ndarray: int64 item indices, in data set order.
        """
        start = self.starts[cls]
        return self.order[start:start + self.counts[cls]]


def epoch_rng(seed: int, epoch: int, *stream: int) -> np.random.Generator:
    """An independent generator for one (seed, epoch, ...) combination.

    Args:
        seed (int): Base seed, the same on every rank.
        epoch (int): Epoch.
        *stream (int): Further keys separating streams.

    Returns:
        np.random.Generator: A PCG64 generator.
    """
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(epoch),
                                  *map(int, stream)])


def empty_class_message(dataset_label: str, counts: np.ndarray,
                        names: Optional[list]) -> Optional[str]:
    """Warning naming the classes a re-balancing sampler leaves out.

    Args:
        dataset_label (str): Name of the data set in the message.
        counts (np.ndarray): Items per class.
        names (list, optional): Readable names of the empty classes.

    Returns:
        str | None: The message, or None if every class has items.
    """
    empty = np.flatnonzero(counts == 0)
    if not len(empty):
        return None
    shown = names if names is not None else [str(i) for i in empty]
    more = f' and {len(shown) - 20} more' if len(shown) > 20 else ''
    return (f'{dataset_label}: {len(empty)} class(es) have no training '
            f'images and are left out of re-balanced sampling: '
            f'{", ".join(shown[:20])}{more}')


__all__ = [
    'ClassIndex', 'REBALANCE_WEIGHTS', 'empty_class_message', 'epoch_rng',
    'rebalance_probs'
]
