import math

import numpy as np
import pytest

from mmbbn.models.losses import class_weights, ldam_margins, log_class_prior

COUNTS = [100, 10, 1]


def test_inverse_frequency_weights_by_hand():
    # 1/100, 1/10, 1/1 scaled to sum 3: x 3 / 1.11.
    w = class_weights(COUNTS, 'inverse')
    assert np.allclose(w, [0.027027, 0.270270, 2.702703], atol=1e-6)
    assert w.sum() == pytest.approx(3)


def test_effective_number_weights_by_hand():
    # (1 - b) / (1 - b^n) at b = 0.9: 0.1 / (1 - 0.9^100), 0.1 / 0.6513,
    # 0.1 / 0.1 = 0.100003, 0.153534, 1.0; sum 1.253537; scaled to sum 3.
    w = class_weights(COUNTS, 'effective_number', beta=0.9)
    assert np.allclose(w, [0.239326, 0.367448, 2.393226], atol=1e-5)
    raw = np.array([0.1 / (1 - 0.9**n) for n in COUNTS])
    assert np.allclose(w, raw * 3 / raw.sum())


def test_effective_number_goes_from_uniform_to_inverse_frequency():
    # beta -> 0: effective number 1 for every class (no re-weighting);
    # beta -> 1: effective number N_i (inverse frequency).
    assert np.allclose(class_weights(COUNTS, 'effective_number', 1e-9),
                       [1, 1, 1])
    assert np.allclose(class_weights(COUNTS, 'effective_number', 1 - 1e-9),
                       class_weights(COUNTS, 'inverse'), rtol=1e-5)


def test_cifar10_ir100_cb_weights_at_beta_0_9999():
    counts = np.array([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50])
    w = class_weights(counts, 'effective_number', 0.9999)
    eff = (1 - 0.9999**counts) / (1 - 0.9999)
    assert np.allclose(w, (1 / eff) * 10 / (1 / eff).sum())
    assert w.sum() == pytest.approx(10)
    assert np.all(np.diff(w) > 0)


def test_a_class_without_images_gets_weight_zero_never_infinity():
    w = class_weights([10, 0, 5], 'inverse')
    assert w[1] == 0 and np.isfinite(w).all()
    assert w.sum() == pytest.approx(2)
    assert np.allclose(w[[0, 2]], np.array([0.1, 0.2]) * 2 / 0.3)


@pytest.mark.parametrize('beta', [0, 1, 1.5, -0.1, True])
def test_beta_outside_the_open_unit_interval_is_refused(beta):
    with pytest.raises(ValueError, match=rf'beta={beta!r} is not in \(0, 1\)'):
        class_weights(COUNTS, 'effective_number', beta)


def test_unknown_weighting_is_refused():
    with pytest.raises(ValueError, match="weighting='sqrt' is not one of"):
        class_weights(COUNTS, 'sqrt')


def test_ldam_margins_by_hand():
    # N^(-1/4) = 0.316228, 0.562341, 1; the rarest class gets 0.5.
    m = ldam_margins(COUNTS, 0.5)
    assert np.allclose(m, [0.158114, 0.281171, 0.5], atol=1e-6)


def test_log_prior_and_empty_classes():
    assert np.allclose(log_class_prior([3, 1]), [math.log(0.75),
                                                 math.log(0.25)])
    # An empty class counts as one image: finite offsets.
    assert np.allclose(log_class_prior([3, 0]), [math.log(0.75),
                                                 math.log(0.25)])
