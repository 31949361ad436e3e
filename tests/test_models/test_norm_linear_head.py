import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmbbn.models import NormLinearClsHead
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
