import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmbbn.models import BBNHead, mix_features
from mmbbn.structures import BranchPair


def samples(labels):
    return [DataSample().set_gt_label(int(y)) for y in labels]


def make_batch(n=6, d=4, num_classes=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    feats = BranchPair(torch.randn(n, d, generator=g),
                       torch.randn(n, d, generator=g))
    labels = BranchPair(torch.randint(num_classes, (n, ), generator=g),
                        torch.randint(num_classes, (n, ), generator=g))
    return feats, labels


@pytest.mark.parametrize('alpha', [1.0, 0.9, 0.5, 0.3, 0.01, 0.0])
def test_training_logits_and_loss_follow_the_paper(alpha):
    torch.manual_seed(0)
    head = BBNHead(num_classes=5, in_channels=8)
    head.alpha = alpha
    feats, labels = make_batch()
    W, b = head.fc.weight, head.fc.bias
    # Official combiner: z = FC(2 * cat(a * f_c, (1 - a) * f_r)).
    z = 2 * torch.cat([alpha * feats.conventional,
                       (1 - alpha) * feats.rebalancing], dim=1) @ W.T + b
    assert torch.allclose(head.mixed_logits(feats), z, atol=1e-6)
    # Poster form: W_c^T f_c + W_r^T f_r with one shared bias.
    wc, wr = W[:, :4], W[:, 4:]
    z_poster = (2 * alpha * feats.conventional @ wc.T +
                2 * (1 - alpha) * feats.rebalancing @ wr.T + b)
    assert torch.allclose(z, z_poster, atol=1e-6)

    losses = head.loss(feats, BranchPair(samples(labels.conventional),
                                         samples(labels.rebalancing)))
    expected = (alpha * F.cross_entropy(z, labels.conventional) +
                (1 - alpha) * F.cross_entropy(z, labels.rebalancing))
    assert torch.allclose(losses['loss'], expected, atol=1e-6)
    pred = z.argmax(1)
    acc = (alpha * (pred == labels.conventional).float().mean() +
           (1 - alpha) * (pred == labels.rebalancing).float().mean()) * 100
    assert torch.allclose(losses['accuracy'], acc, atol=1e-5)


def test_mixing_at_one_half_is_the_inference_input():
    feats, _ = make_batch()
    assert torch.allclose(
        mix_features(feats, 0.5),
        torch.cat([feats.conventional, feats.rebalancing], dim=1))


def test_gradient_reaches_only_the_weighted_branch_at_alpha_one():
    head = BBNHead(num_classes=5, in_channels=8)
    head.alpha = 1.0
    feats, labels = make_batch()
    feats = BranchPair(*(f.requires_grad_() for f in feats))
    losses = head.loss(feats, BranchPair(samples(labels.conventional),
                                         samples(labels.rebalancing)))
    losses['loss'].backward()
    assert feats.conventional.grad.abs().sum() > 0
    assert feats.rebalancing.grad.abs().sum() == 0


def test_predict_is_the_unweighted_concatenation():
    torch.manual_seed(0)
    head = BBNHead(num_classes=5, in_channels=8)
    x = torch.randn(3, 8)
    preds = head.predict((x, ))
    scores = F.softmax(x @ head.fc.weight.T + head.fc.bias, dim=1)
    assert torch.allclose(torch.stack([p.pred_score for p in preds]), scores)
    head.alpha = 0.9  # training weight does not touch inference
    preds2 = head.predict((x, ))
    assert torch.allclose(preds2[0].pred_score, preds[0].pred_score)


def test_alpha_is_checked_and_required():
    head = BBNHead(num_classes=5, in_channels=8)
    feats, labels = make_batch()
    with pytest.raises(RuntimeError, match='CumulativeAlphaHook'):
        head.mixed_logits(feats)
    with pytest.raises(ValueError, match=r'alpha=1.5 is outside \[0, 1\]'):
        head.alpha = 1.5
    with pytest.raises(ValueError, match='outside'):
        head.alpha = -0.1
    head.alpha = 0.5
    with pytest.raises(TypeError, match='BranchPair'):
        head.loss((feats.conventional, ), samples(labels.conventional))


def test_alpha_is_not_saved_state():
    head = BBNHead(num_classes=5, in_channels=8)
    head.alpha = 0.3
    assert set(head.state_dict()) == {'fc.weight', 'fc.bias'}


def test_default_init_is_pytorch_linear():
    head = BBNHead(num_classes=5, in_channels=8)
    head.init_weights()
    bound = 1 / 8**0.5
    assert head.fc.weight.abs().max() <= bound
    assert head.fc.bias.abs().max() <= bound and head.fc.bias.any()
