"""Each loss against its formula, with numbers worked out by hand."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.structures import DataSample

from mmbbn.models import BBNHead
from mmbbn.models.losses import (BalancedSoftmaxLoss, LDAMLoss,
                                 LogitAdjustedLoss, ReweightedCrossEntropyLoss,
                                 ReweightedFocalLoss)
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair

COUNTS = [100, 10, 1]
# Two samples: logits (2, 0, 0) of class 0 and (0, 1, 0) of class 2.
Z = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
Y = torch.tensor([0, 2])
# CE by hand: log(1 + 2 e^-2) and log(2 + e).
CE = [math.log(1 + 2 * math.exp(-2)), math.log(2 + math.e)]
INV = [0.027027027, 0.27027027, 2.7027027]  # inverse-frequency weights


def build(cfg, counts=COUNTS):
    loss = MODELS.build(cfg)
    if counts is not None:
        loss.set_class_counts(np.array(counts))
    return loss


def test_hand_cross_entropies():
    assert torch.allclose(F.cross_entropy(Z, Y, reduction='none'),
                          torch.tensor(CE))
    assert CE == pytest.approx([0.239545, 1.551445], abs=1e-6)


def test_rw_cross_entropy_divides_by_the_weights_like_pytorch():
    loss = build(dict(type='ReweightedCrossEntropyLoss',
                      weighting='inverse'))
    w0, w2 = INV[0], INV[2]
    expected = (w0 * CE[0] + w2 * CE[1]) / (w0 + w2)  # = 1.538456
    assert expected == pytest.approx(1.538456, abs=1e-6)
    assert loss(Z, Y, avg_factor=2).item() == pytest.approx(expected,
                                                            abs=1e-5)
    ref = F.cross_entropy(Z, Y, weight=torch.tensor(INV))
    assert loss(Z, Y).item() == pytest.approx(ref.item(), abs=1e-5)


def test_batch_normalisation_divides_by_the_batch():
    loss = build(dict(type='ReweightedCrossEntropyLoss',
                      weighting='inverse', normalize='batch'))
    expected = (INV[0] * CE[0] + INV[2] * CE[1]) / 2
    assert loss(Z, Y, avg_factor=2).item() == pytest.approx(expected,
                                                            abs=1e-5)
    assert loss(Z, Y, reduction_override='none').tolist() == pytest.approx(
        [INV[0] * CE[0], INV[2] * CE[1]], abs=1e-5)
    assert loss(Z, Y, reduction_override='sum').item() == pytest.approx(
        expected * 2, abs=1e-5)


def test_cb_cross_entropy_uses_effective_number_weights():
    loss = build(dict(type='ReweightedCrossEntropyLoss', beta=0.9))
    w = [0.239326, 0.367448, 2.393226]
    expected = (w[0] * CE[0] + w[2] * CE[1]) / (w[0] + w[2])
    assert loss(Z, Y).item() == pytest.approx(expected, abs=1e-5)


def test_deferred_weights_off_is_plain_cross_entropy():
    loss = build(dict(type='ReweightedCrossEntropyLoss'))
    loss.set_reweighting(False)
    assert loss(Z, Y).item() == pytest.approx(sum(CE) / 2, abs=1e-6)
    loss.set_reweighting(True)
    assert loss(Z, Y).item() != pytest.approx(sum(CE) / 2, abs=1e-3)


def test_softmax_focal_loss_by_hand():
    # p_y = 1 / (1 + 2 e^-2) = 0.786986 and 1 / (2 + e) = 0.211942.
    p = [1 / (1 + 2 * math.exp(-2)), 1 / (2 + math.e)]
    gamma = 2.0
    per = [-(1 - q)**gamma * math.log(q) for q in p]
    loss = build(dict(type='ReweightedFocalLoss', gamma=gamma,
                      use_sigmoid=False, weighting='none'), None)
    assert loss(Z, Y, avg_factor=2).item() == pytest.approx(
        sum(per) / 2, abs=1e-6)
    # gamma = 0 is cross-entropy.
    plain = build(dict(type='ReweightedFocalLoss', gamma=0.,
                       use_sigmoid=False, weighting='none'), None)
    assert plain(Z, Y).item() == pytest.approx(sum(CE) / 2, abs=1e-6)


def test_cb_sigmoid_focal_loss_by_hand():
    # Cui et al.: w_y sum_c -(1 - p_t)^g log p_t, p_t = s(z) for the true
    # class and 1 - s(z) = s(-z) for the others; divided by the batch.
    def sig(x):
        return 1 / (1 + math.exp(-x))

    gamma, beta = 1.0, 0.9
    w = [0.239326, 0.367448, 2.393226]
    total = 0.0
    for z, y in zip(Z.tolist(), Y.tolist()):
        pts = [sig(v) if c == y else sig(-v) for c, v in enumerate(z)]
        total += w[y] * sum(-(1 - pt)**gamma * math.log(pt) for pt in pts)
    loss = build(dict(type='ReweightedFocalLoss', gamma=gamma, beta=beta))
    assert loss(Z, Y, avg_factor=2).item() == pytest.approx(total / 2,
                                                            abs=1e-5)


def test_sigmoid_focal_equals_cuis_stable_modulator_form():
    # Cui et al.'s code: modulator = exp(-g y z - g log(1 + exp(-z))),
    # times binary cross-entropy with logits.
    g = torch.Generator().manual_seed(0)
    z = torch.randn(16, 7, generator=g) * 4
    y = torch.randint(7, (16, ), generator=g)
    onehot = F.one_hot(y, 7).float()
    gamma = 0.5
    bce = F.binary_cross_entropy_with_logits(z, onehot, reduction='none')
    modulator = torch.exp(-gamma * onehot * z -
                          gamma * torch.log1p(torch.exp(-z)))
    expected = (modulator * bce).sum() / 16
    loss = build(dict(type='ReweightedFocalLoss', gamma=gamma,
                      weighting='none'), None)
    assert loss(z, y, avg_factor=16).item() == pytest.approx(
        expected.item(), rel=1e-5)


def test_ldam_subtracts_the_scaled_margin_of_the_true_class():
    # Head logits are s * cos; margins 0.158114, 0.281171, 0.5 (s = 30).
    cos = torch.tensor([[0.5, 0.1, -0.2], [0.0, 0.3, 0.2]])
    loss = build(dict(type='LDAMLoss', max_margin=0.5, scale=30.0))
    m = [0.158114, 0.281171, 0.5]
    shifted = torch.tensor([[30 * (0.5 - m[0]), 3.0, -6.0],
                            [0.0, 9.0, 30 * (0.2 - m[2])]])
    expected = F.cross_entropy(shifted, Y)
    assert loss(30 * cos, Y).item() == pytest.approx(expected.item(),
                                                     abs=1e-4)
    # By hand: CE of each shifted row.
    z0 = 30 * (0.5 - m[0])  # 10.25658
    by_hand = math.log(1 + math.exp(3.0 - z0) + math.exp(-6.0 - z0))
    z1 = 30 * (0.2 - m[2])  # -9.0
    by_hand += math.log(math.exp(0.0 - z1) + math.exp(9.0 - z1) + 1)
    assert loss(30 * cos, Y).item() == pytest.approx(by_hand / 2, abs=1e-4)


def test_ldam_drw_weights_like_the_original_code():
    cos = torch.tensor([[0.5, 0.1, -0.2], [0.0, 0.3, 0.2]])
    loss = build(dict(type='LDAMLoss', weighting='effective_number',
                      beta=0.9))
    plain = build(dict(type='LDAMLoss'))
    w = torch.tensor([0.239326, 0.367448, 2.393226])
    per = plain(30 * cos, Y, reduction_override='none')
    expected = (w[Y] * per).sum() / w[Y].sum()
    assert loss(30 * cos, Y).item() == pytest.approx(expected.item(),
                                                     rel=1e-5)


def test_balanced_softmax_adds_log_counts():
    # z + log N = (2 + log 100, log 10, 0), (log 100, 1 + log 10, 0).
    rows = [[2 + math.log(100), math.log(10), 0.0],
            [math.log(100), 1 + math.log(10), 0.0]]
    by_hand = [
        -math.log(math.exp(rows[0][0]) / sum(map(math.exp, rows[0]))),
        -math.log(math.exp(rows[1][2]) / sum(map(math.exp, rows[1])))
    ]
    loss = build(dict(type='BalancedSoftmaxLoss'))
    assert loss(Z, Y).item() == pytest.approx(sum(by_hand) / 2, abs=1e-5)
    # N_y e^{z_y} / sum_j N_j e^{z_j} for sample 2: 1 / (100 + 10 e + 1).
    assert by_hand[1] == pytest.approx(math.log(101 + 10 * math.e))


def test_logit_adjusted_loss_adds_tau_log_prior():
    loss = build(dict(type='LogitAdjustedLoss', tau=0.5))
    prior = torch.tensor(COUNTS, dtype=torch.float) / 111
    expected = F.cross_entropy(Z + 0.5 * prior.log(), Y)
    assert loss(Z, Y).item() == pytest.approx(expected.item(), abs=1e-6)
    # tau = 1 equals Balanced Softmax (log N and log pi differ by log N).
    la = build(dict(type='LogitAdjustedLoss', tau=1.0))
    bs = build(dict(type='BalancedSoftmaxLoss'))
    assert la(Z, Y).item() == pytest.approx(bs(Z, Y).item(), abs=1e-6)


@pytest.mark.parametrize('loss_type', [
    'ReweightedCrossEntropyLoss', 'ReweightedFocalLoss', 'LDAMLoss',
    'BalancedSoftmaxLoss', 'LogitAdjustedLoss'
])
def test_counts_must_be_set_and_match(loss_type):
    loss = MODELS.build(dict(type=loss_type))
    with pytest.raises(RuntimeError, match='ClassCountsHook'):
        loss(Z, Y)
    loss.set_class_counts([1, 2, 3, 4])
    with pytest.raises(ValueError, match='4 class counts for 3 logits'):
        loss(Z, Y)
    with pytest.raises(ValueError, match='hard class labels'):
        loss.set_class_counts(COUNTS)
        loss(Z, F.one_hot(Y, 3).float())


@pytest.mark.parametrize('loss_type', [
    'ReweightedCrossEntropyLoss', 'ReweightedFocalLoss', 'LDAMLoss',
    'BalancedSoftmaxLoss', 'LogitAdjustedLoss'
])
@pytest.mark.parametrize('beta', [0, 1, 1.0001, -0.5])
def test_bad_beta_fails_when_the_model_is_built(loss_type, beta):
    with pytest.raises(ValueError,
                       match=rf'{loss_type}: beta={beta!r} is not in'):
        MODELS.build(dict(type=loss_type, beta=beta))


def test_other_bad_arguments_name_the_value():
    with pytest.raises(ValueError, match="weighting='cb'"):
        ReweightedCrossEntropyLoss(weighting='cb')
    with pytest.raises(ValueError, match="normalize='sum'"):
        ReweightedCrossEntropyLoss(normalize='sum')
    with pytest.raises(ValueError, match='gamma=-1'):
        ReweightedFocalLoss(gamma=-1)
    with pytest.raises(ValueError, match='max_margin=0'):
        LDAMLoss(max_margin=0)


def test_counts_are_not_in_the_state_dict():
    head = LinearClsHead(3, 4, loss=dict(type='LDAMLoss'))
    head.loss_module.set_class_counts(COUNTS)
    assert set(head.state_dict()) == {'fc.weight', 'fc.bias'}


def samples(labels):
    return [DataSample().set_gt_label(int(y)) for y in labels]


@pytest.mark.parametrize('cfg', [
    dict(type='ReweightedCrossEntropyLoss', weighting='inverse'),
    dict(type='ReweightedFocalLoss'),
    dict(type='LDAMLoss'),
    dict(type='BalancedSoftmaxLoss'),
    dict(type='LogitAdjustedLoss', tau=1.5),
])
def test_usable_as_the_loss_of_linear_and_bbn_heads(cfg):
    torch.manual_seed(0)
    feats = torch.randn(6, 4)
    labels = torch.tensor([0, 0, 1, 2, 0, 1])
    head = LinearClsHead(3, 4, loss=cfg)
    head.loss_module.set_class_counts(COUNTS)
    losses = head.loss((feats, ), samples(labels))
    logits = head.fc(feats)
    expected = head.loss_module(logits, labels, avg_factor=6)
    assert torch.allclose(losses['loss'], expected)
    losses['loss'].backward()
    assert torch.isfinite(head.fc.weight.grad).all()

    bbn = BBNHead(3, 8, loss=cfg)
    bbn.loss_module.set_class_counts(COUNTS)
    bbn.alpha = 0.25
    pair = BranchPair(torch.randn(6, 4), torch.randn(6, 4))
    ys = BranchPair(labels, labels.flip(0))
    out = bbn.loss(pair, BranchPair(samples(ys.conventional),
                                    samples(ys.rebalancing)))
    z = bbn.mixed_logits(pair)
    expected = (0.25 * bbn.loss_module(z, ys.conventional, avg_factor=6) +
                0.75 * bbn.loss_module(z, ys.rebalancing, avg_factor=6))
    assert torch.allclose(out['loss'], expected)


def test_balanced_softmax_and_logit_adjusted_exports():
    assert issubclass(BalancedSoftmaxLoss, LogitAdjustedLoss)
