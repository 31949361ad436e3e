import pytest
import torch
from mmpretrain.structures import DataSample

from mmbbn.models import count_parameters
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair


def bbn_cfg(**kwargs):
    cfg = dict(
        type='BBNClassifier',
        backbone=dict(type='CifarResNet', depth=32, split_last_block=True),
        neck=dict(type='BBNNeck'),
        head=dict(type='BBNHead', num_classes=10, in_channels=128),
        data_preprocessor=dict(
            mean=[125.3, 123.0, 113.9], std=[51.6, 50.8, 51.3]))
    cfg.update(kwargs)
    return cfg


def samples(labels):
    return [DataSample().set_gt_label(int(y)) for y in labels]


def pair_batch(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (BranchPair(torch.randn(n, 3, 32, 32, generator=g),
                       torch.randn(n, 3, 32, 32, generator=g)),
            BranchPair(samples(torch.randint(10, (n, ), generator=g)),
                       samples(torch.randint(10, (n, ), generator=g))))


def test_parameters_before_the_classifier_match_the_official_bbn():
    model = MODELS.build(bbn_cfg())
    assert count_parameters(model.backbone) + count_parameters(
        model.neck) == 537488
    assert count_parameters(model.head) == 128 * 10 + 10


def test_neck_block_is_derived_from_the_backbone():
    model = MODELS.build(bbn_cfg())
    assert model.neck.conventional.in_channels == 64
    assert type(model.data_preprocessor).__name__ == 'BBNDataPreprocessor'


def test_two_passes_update_batchnorm_once_per_half():
    model = MODELS.build(bbn_cfg())
    model.init_weights()
    model.head.alpha = 0.7
    inputs, data_samples = pair_batch()
    bn = model.backbone.bn1
    before = int(bn.num_batches_tracked)
    losses = model(inputs, data_samples, mode='loss')
    assert int(bn.num_batches_tracked) == before + 2
    assert losses['loss'].requires_grad

    joint = MODELS.build(bbn_cfg(joint_pass=True))
    joint.head.alpha = 0.7
    joint(inputs, data_samples, mode='loss')
    assert int(joint.backbone.bn1.num_batches_tracked) == 1


def test_joint_and_two_pass_agree_when_batchnorm_is_frozen():
    torch.manual_seed(0)
    two = MODELS.build(bbn_cfg())
    two.init_weights()
    joint = MODELS.build(bbn_cfg(joint_pass=True))
    joint.load_state_dict(two.state_dict())
    for m in (two, joint):
        m.eval()
        m.head.alpha = 0.4
    inputs, data_samples = pair_batch()
    a = two(inputs, data_samples, mode='loss')['loss']
    b = joint(inputs, data_samples, mode='loss')['loss']
    assert torch.allclose(a, b, atol=1e-5)


def test_loss_matches_the_formula_through_the_whole_model():
    import torch.nn.functional as F
    torch.manual_seed(0)
    model = MODELS.build(bbn_cfg())
    model.init_weights()
    model.eval()
    alpha = 0.25
    model.head.alpha = alpha
    inputs, data_samples = pair_batch()
    trunk = model.backbone
    f_c = model.neck.conventional(trunk(inputs.conventional)[0]).mean((2, 3))
    f_r = model.neck.rebalancing(trunk(inputs.rebalancing)[0]).mean((2, 3))
    z = model.head.fc(2 * torch.cat([alpha * f_c, (1 - alpha) * f_r], 1))
    y_c = torch.cat([s.gt_label for s in data_samples.conventional])
    y_r = torch.cat([s.gt_label for s in data_samples.rebalancing])
    expected = (alpha * F.cross_entropy(z, y_c) +
                (1 - alpha) * F.cross_entropy(z, y_r))
    loss = model(inputs, data_samples, mode='loss')['loss']
    assert torch.allclose(loss, expected, atol=1e-5)


def test_single_image_path_is_unweighted_concat():
    torch.manual_seed(0)
    model = MODELS.build(bbn_cfg())
    model.init_weights()
    model.eval()
    x = torch.randn(3, 3, 32, 32)
    feat = model.extract_feat(x)[0]
    assert feat.shape == (3, 128)
    logits = model(x, mode='tensor')
    assert torch.allclose(logits, model.head.fc(feat), atol=1e-6)
    preds = model(x, mode='predict')
    assert torch.allclose(preds[0].pred_score, logits.softmax(1)[0])


def test_plain_batch_in_training_fails_clearly():
    model = MODELS.build(bbn_cfg())
    model.head.alpha = 0.5
    with pytest.raises(TypeError, match='DualSampler'):
        model(torch.randn(2, 3, 32, 32), samples([0, 1]), mode='loss')


def test_inconsistent_channels_fail_at_build():
    with pytest.raises(ValueError, match='in_channels=64'):
        MODELS.build(bbn_cfg(head=dict(
            type='BBNHead', num_classes=10, in_channels=64)))


def test_a_plain_backbone_is_split_as_the_flagged_one():
    # The classifier holds the last block out of any backbone; a backbone
    # split already (split_last_block=True) is not split twice.
    plain = MODELS.build(bbn_cfg(backbone=dict(type='CifarResNet',
                                               depth=32)))
    flagged = MODELS.build(bbn_cfg())
    assert len(plain.backbone.layer3) == len(flagged.backbone.layer3) == 4
    assert [(k, v.shape) for k, v in plain.state_dict().items()] == [
        (k, v.shape) for k, v in flagged.state_dict().items()]
    assert [n for n, _ in plain.named_parameters()] == [
        n for n, _ in flagged.named_parameters()]


def test_train_step_with_optimizer():
    from mmengine.optim import OptimWrapper
    torch.manual_seed(0)
    model = MODELS.build(bbn_cfg())
    model.init_weights()
    model.head.alpha = 0.5
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    inputs, data_samples = pair_batch(n=4)
    # A collated pair of batches, as the data loader gives it.
    data = BranchPair(
        dict(inputs=list(inputs.conventional),
             data_samples=data_samples.conventional),
        dict(inputs=list(inputs.rebalancing),
             data_samples=data_samples.rebalancing))
    before = model.head.fc.weight.clone()
    log_vars = model.train_step(data, optim)
    assert set(log_vars) == {'loss', 'accuracy'}
    assert not torch.equal(before, model.head.fc.weight)


def test_shipped_checkpoint_keeps_its_keys_in_their_order():
    # Same names in the same order (an optimizer state resumes by order).
    import glob
    import os.path as osp

    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from ..conftest import CONFIGS, REPO
    (path, ) = glob.glob(osp.join(REPO, 'checkpoints', 'bbn',
                                  'bbn_resnet32_1xb32-200e_digits-lt_*.pth'))
    cfg = Config.fromfile(osp.join(CONFIGS, 'bbn',
                                   'bbn_resnet32_1xb32-200e_digits-lt.py'))
    model = MODELS.build(cfg.model)
    saved = torch.load(path, map_location='cpu', weights_only=True)
    assert list(model.state_dict()) == list(saved['state_dict'])
    load_checkpoint(model, path, strict=True)
