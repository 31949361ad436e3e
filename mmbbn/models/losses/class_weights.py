"""Per-class weights and offsets computed from training-class counts."""
import numpy as np

# How a class with N_i > 0 training images is weighted.
WEIGHTINGS = ('none', 'inverse', 'effective_number')


def check_beta(beta: float, owner: str) -> float:
    """Check the effective-number hyper-parameter.

    Args:
        beta (float): Must lie in the open interval (0, 1).
        owner (str): Who asks, for the message.

    Returns:
        float: ``beta``.
    """
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not (
            0.0 < beta < 1.0):
        raise ValueError(f'{owner}: beta={beta!r} is not in (0, 1)')
    return float(beta)


def check_weighting(weighting: str, owner: str) -> str:
    """Check a class-weighting name.

    Args:
        weighting (str): One of :data:`WEIGHTINGS`.
        owner (str): Who asks, for the message.

    Returns:
        str: ``weighting``.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f'{owner}: weighting={weighting!r} is not one of '
                         f'{", ".join(WEIGHTINGS)}')
    return weighting


def class_weights(counts, weighting: str, beta: float = 0.9999) -> np.ndarray:
    """Class weights of re-weighting methods, normalised to mean 1.

    - ``'none'``: ``w_i = 1``.
    - ``'inverse'`` (RW): ``w_i ∝ 1 / N_i``.
    - ``'effective_number'`` (CB, Cui et al. 2019):
      ``w_i ∝ (1 - beta) / (1 - beta ** N_i)``, the inverse of the
      effective number of samples ``(1 - beta ** N_i) / (1 - beta)``.

    The weights of the classes that have images are scaled to sum to their
    number (``C`` when every class has images, as in Cui et al.); a class
    without training images gets weight 0 (it is never a target).

    Args:
        counts (array-like): Training images per class, ``N_i``.
        weighting (str): One of :data:`WEIGHTINGS`.
        beta (float): The effective-number parameter, in (0, 1).

    Returns:
        np.ndarray: float64 weights of shape (C, ).
    """
    check_weighting(weighting, 'class_weights')
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    if not present.any():
        raise ValueError('class_weights: no class has any training image')
    weights = np.zeros_like(counts)
    n = counts[present]
    if weighting == 'none':
        weights[present] = 1.0
    elif weighting == 'inverse':
        weights[present] = 1.0 / n
    else:
        beta = check_beta(beta, 'class_weights')
        # -expm1(n log beta) = 1 - beta ** n, exact for beta near 1.
        weights[present] = (1.0 - beta) / -np.expm1(n * np.log(beta))
    return weights * (present.sum() / weights.sum())


def log_class_counts(counts) -> np.ndarray:
    """``log N_i``, counting a class without training images as one image.

    The logit offsets of Balanced Softmax, logit adjustment and LDAM
    margins stay finite that way; such a class is never a training target.

    Args:
        counts (array-like): Training images per class.

    Returns:
        np.ndarray: float64 ``log max(N_i, 1)``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    return np.log(np.maximum(counts, 1.0))


def log_class_prior(counts) -> np.ndarray:
    """``log pi_i`` of the training label distribution ``pi_i = N_i / N``.

    Args:
        counts (array-like): Training images per class (a class without
            images counts as one, see :func:`log_class_counts`).

    Returns:
        np.ndarray: float64 log-priors.
    """
    log_n = log_class_counts(counts)
    return log_n - np.log(np.exp(log_n).sum())


def ldam_margins(counts, max_margin: float) -> np.ndarray:
    """LDAM's class margins (Cao et al. 2019): ``m_i ∝ N_i ** (-1/4)``.

    Scaled so the largest margin (the rarest class) is ``max_margin``.

    Args:
        counts (array-like): Training images per class (a class without
            images counts as one).
        max_margin (float): The margin of the rarest class.

    Returns:
        np.ndarray: float64 margins.
    """
    raw = np.exp(-0.25 * log_class_counts(counts))
    return raw * (max_margin / raw.max())


__all__ = [
    'WEIGHTINGS', 'check_beta', 'check_weighting', 'class_weights',
    'ldam_margins', 'log_class_counts', 'log_class_prior'
]
