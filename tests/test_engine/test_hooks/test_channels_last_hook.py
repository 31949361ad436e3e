import torch

from mmbbn.engine import to_channels_last
from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair
from ...test_models.test_bbn_classifier import bbn_cfg, pair_batch


def test_channels_last_keeps_results_and_changes_layout():
    torch.manual_seed(0)
    model = MODELS.build(bbn_cfg())
    model.init_weights()
    model.eval()
    model.head.alpha = 0.3
    x = torch.randn(2, 3, 32, 32)
    inputs, samples = pair_batch()
    before = model(x, mode='tensor')
    loss_before = model(inputs, samples, mode='loss')['loss']

    seen = []
    to_channels_last(model)
    to_channels_last(model)  # idempotent: one input hook
    model.backbone.conv1.register_forward_pre_hook(
        lambda m, a: seen.append(
            a[0].is_contiguous(memory_format=torch.channels_last)))
    assert model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    after = model(x, mode='tensor')
    loss_after = model(BranchPair(*inputs), samples, mode='loss')['loss']
    assert seen and all(seen)
    assert len(model.backbone._forward_pre_hooks) == 1
    # Same up to float reordering, whose error grows with the logits' scale
    # (a few hundred with this initialisation).
    scale = before.abs().max().item()
    torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-6 * scale)
    torch.testing.assert_close(loss_after, loss_before, rtol=1e-5,
                               atol=1e-6 * scale)
