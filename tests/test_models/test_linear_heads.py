"""The baselines' linear heads: cosine, and adjusted post hoc."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmbbn.models import NormLinearClsHead, PostHocLinearClsHead
from mmbbn.registry import MODELS


def test_logits_are_scaled_cosines_by_hand():
    head = NormLinearClsHead(2, 2, scale=30.0,
                             loss=dict(type='CrossEntropyLoss'))
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[2.0, 0.0], [1.0, 1.0]]))
    x = torch.tensor([[3.0, 4.0]])
    # cos to (1, 0) = 3/5; cos to (1, 1)/sqrt(2) = 7/(5 sqrt 2).
    expected = torch.tensor([[30 * 0.6, 30 * 7 / (5 * math.sqrt(2))]])
    assert torch.allclose(head((x, )), expected)
    assert head.fc.bias is None


def test_default_init_gives_unit_class_vectors():
    head = NormLinearClsHead(5, 8, loss=dict(type='CrossEntropyLoss'))
    head.init_weights()
    assert torch.allclose(head.fc.weight.norm(dim=1), torch.ones(5))


def test_predict_scores_are_the_softmax_of_scaled_logits():
    torch.manual_seed(0)
    head = NormLinearClsHead(3, 4, loss=dict(type='CrossEntropyLoss'))
    x = torch.randn(2, 4)
    pred = head.predict((x, ))
    expected = F.softmax(head((x, )), dim=1)
    assert torch.allclose(pred[0].pred_score, expected[0])


def test_ldam_trains_through_the_head():
    head = MODELS.build(dict(
        type='NormLinearClsHead', num_classes=3, in_channels=4,
        loss=dict(type='LDAMLoss', scale=30.0)))
    head.loss_module.set_class_counts([50, 5, 1])
    x = torch.randn(4, 4, requires_grad=True)
    samples = [DataSample().set_gt_label(y) for y in (0, 1, 2, 0)]
    loss = head.loss((x, ), samples)['loss']
    loss.backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_scale_must_agree_with_the_loss():
    with pytest.raises(ValueError, match='scale=30.0 but the loss has '
                       'scale=10.0'):
        MODELS.build(dict(type='NormLinearClsHead', num_classes=3,
                          in_channels=4,
                          loss=dict(type='LDAMLoss', scale=10.0)))
    with pytest.raises(ValueError, match='scale=0'):
        NormLinearClsHead(3, 4, scale=0)


def make_head(**kwargs):
    head = PostHocLinearClsHead(2, 2, **kwargs)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[3.0, 0.0], [0.0, 1.0]]))
        head.fc.bias.copy_(torch.tensor([0.5, -0.5]))
    return head


X = torch.tensor([[1.0, 2.0]])


def test_plain_head_predicts_like_linear_cls_head():
    head = make_head()
    assert torch.allclose(head.adjusted_logits(X), torch.tensor([[3.5,
                                                                  1.5]]))
    assert torch.allclose(head((X, )), torch.tensor([[3.5, 1.5]]))


def test_tau_normalisation_by_hand():
    # ||w_0|| = 3, ||w_1|| = 1; tau = 1: unit vectors, no bias: (1, 2).
    head = make_head(weight_norm_tau=1.0)
    assert torch.allclose(head.adjusted_logits(X), torch.tensor([[1.0,
                                                                  2.0]]))
    # tau = 0.5: w_0 / sqrt(3) -> 3 / sqrt(3) = sqrt(3).
    head = make_head(weight_norm_tau=0.5, keep_bias=True)
    assert torch.allclose(head.adjusted_logits(X),
                          torch.tensor([[math.sqrt(3) + 0.5, 1.5]]))
    # Training still sees the plain logits.
    assert torch.allclose(head((X, )), torch.tensor([[3.5, 1.5]]))


def test_post_hoc_logit_adjustment_by_hand():
    head = make_head(logit_adjust_tau=1.0)
    head.set_class_counts([90, 10])
    # z - log pi = 3.5 - log 0.9, 1.5 - log 0.1.
    expected = torch.tensor([[3.5 - math.log(0.9), 1.5 - math.log(0.1)]])
    assert torch.allclose(head.adjusted_logits(X), expected)
    pred = head.predict((X, ), [DataSample().set_gt_label(0)])[0]
    assert pred.pred_label.item() == 1
    assert torch.allclose(pred.pred_score, expected.softmax(1)[0])


def test_prior_travels_with_the_checkpoint():
    head = make_head(logit_adjust_tau=0.5)
    head.set_class_counts([90, 10])
    other = PostHocLinearClsHead(2, 2, logit_adjust_tau=0.5)
    other.load_state_dict(head.state_dict())
    assert torch.equal(other.adjusted_logits(X), head.adjusted_logits(X))


def test_missing_counts_and_bad_taus_are_one_line_errors():
    head = make_head(logit_adjust_tau=1.0)
    with pytest.raises(RuntimeError, match='ClassCountsHook'):
        head.predict((X, ))
    with pytest.raises(ValueError, match='logit_adjust_tau=-1'):
        MODELS.build(dict(type='PostHocLinearClsHead', num_classes=2,
                          in_channels=2, logit_adjust_tau=-1))
    with pytest.raises(ValueError, match=r'got \(3,\) class counts'):
        head.set_class_counts([1, 2, 3])
