"""bfloat16 autocast around the forward, no loss scaling, on a CPU too."""
import pytest
import torch
import torch.nn as nn

from mmbbn.engine import AutocastOptimWrapper
from mmbbn.registry import OPTIM_WRAPPERS


def test_the_forward_runs_in_bfloat16_and_the_weights_stay_float32():
    model = nn.Linear(8, 4)
    wrapper = OPTIM_WRAPPERS.build(dict(
        type='AutocastOptimWrapper',
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        assert torch.is_autocast_enabled('cpu')
        out = model(torch.randn(2, 8))
        assert out.dtype == torch.bfloat16
        loss = out.float().pow(2).mean()
    assert not torch.is_autocast_enabled('cpu')
    wrapper.update_params(loss)
    assert model.weight.dtype == torch.float32
    assert not torch.equal(model.weight, before)
    assert 'loss_scaler' not in wrapper.state_dict()


def test_float16_needs_loss_scaling_and_is_refused():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match='AmpOptimWrapper'):
        AutocastOptimWrapper(
            dtype='float16',
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
