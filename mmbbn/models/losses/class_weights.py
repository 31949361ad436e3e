"""Per-class weights and offsets computed from training-class counts."""
import numpy as np

# How a class with N_i > 0 training images is weighted.
WEIGHTINGS = ('none', 'inverse', 'effective_number')


def check_beta(beta: float, owner: str) -> float:
    """``beta`` as a float if it lies in (0, 1); ``owner`` names who asks."""
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not (
            0.0 < beta < 1.0):
        raise ValueError(f'{owner}: beta={beta!r} is not in (0, 1)')
    return float(beta)


def check_weighting(weighting: str, owner: str) -> str:
    """``weighting`` if it is one of :data:`WEIGHTINGS`."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f'{owner}: weighting={weighting!r} is not one of '
                         f'{", ".join(WEIGHTINGS)}')
    return weighting


def class_weights(counts, weighting: str, beta: float = 0.9999) -> np.ndarray:
    """Class weights of re-weighting methods, float64 (C, ).

    ``'none'``: 1; ``'inverse'`` (RW): ``1 / N_i``; ``'effective_number'``
    (CB, Cui et al. 2019): ``(1 - beta) / (1 - beta ** N_i)``. The weights
    of the classes that have images sum to their number (``C``, as in Cui
    et al.); a class without training images gets 0 (it is never a target).
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
    """float64 ``log max(N_i, 1)``: a class without training images counts
    as one image, so the logit offsets and margins stay finite."""
    counts = np.asarray(counts, dtype=np.float64)
    return np.log(np.maximum(counts, 1.0))


def log_class_prior(counts) -> np.ndarray:
    """``log pi_i`` of the training label distribution ``pi_i = N_i / N``."""
    log_n = log_class_counts(counts)
    return log_n - np.log(np.exp(log_n).sum())


def ldam_margins(counts, max_margin: float) -> np.ndarray:
    """LDAM's margins (Cao et al. 2019), ``m_i ∝ N_i ** (-1/4)``, the
    largest (the rarest class's) ``max_margin``."""
    raw = np.exp(-0.25 * log_class_counts(counts))
    return raw * (max_margin / raw.max())
