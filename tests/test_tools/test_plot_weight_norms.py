"""tools/analysis_tools/plot_weight_norms.py on a checkpoint written here."""
import json
import os.path as osp
import subprocess

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint
from PIL import Image

from mmbbn.registry import MODELS
from ..conftest import CONFIGS, TOOLS

TOOL = osp.join(TOOLS, 'analysis_tools', 'plot_weight_norms.py')
DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')
# Digits-LT training counts, class 0 ... 9 (IF 20).
COUNTS = [124, 88, 63, 45, 32, 23, 16, 12, 8, 6]


def digits_model():
    cfg = Config.fromfile(DIGITS_BBN)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg.model)


@pytest.mark.slow
def test_norms_of_each_half_per_class_sorted_by_count(tmp_path, python):
    model = digits_model()
    gen = torch.Generator().manual_seed(0)
    # Row i of W_c grows with the class's training count, of W_r it
    # shrinks (the paper's picture).
    with torch.no_grad():
        w = torch.randn(10, 128, generator=gen)
        for i in range(10):
            w[i, :64] *= (1 + np.log(COUNTS[i])) / w[i, :64].norm()
            w[i, 64:] *= 10 / (1 + np.log(COUNTS[i])) / w[i, 64:].norm()
        model.head.fc.weight.copy_(w)
    ckpt = str(tmp_path / 'bbn_digits.pth')
    save_checkpoint({'state_dict': model.state_dict()}, ckpt)
    out, js = str(tmp_path / 'norms.png'), str(tmp_path / 'norms.json')
    run = subprocess.run(
        [python, TOOL, DIGITS_BBN, ckpt, '--out', out, '--json', js],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    line = run.stdout.strip().splitlines()[-1]
    assert line.startswith('weight norms of 10 classes (head third -> tail '
                           'third): conventional ') and out in line
    with open(js) as f:
        result = json.load(f)
    assert result['branch_channels'] == 64
    classes = result['classes']
    assert [c['train_count'] for c in classes] == COUNTS  # most to fewest
    assert [c['index'] for c in classes] == list(range(10))
    weight = model.head.fc.weight.detach()
    for c in classes:
        i = c['index']
        assert c['norm_conventional'] == pytest.approx(
            float(weight[i, :64].norm()), rel=1e-6)
        assert c['norm_rebalancing'] == pytest.approx(
            float(weight[i, 64:].norm()), rel=1e-6)
    s = result['head_and_tail_thirds']
    assert s['conventional']['head_mean'] > s['conventional']['tail_mean']
    assert s['rebalancing']['head_mean'] < s['rebalancing']['tail_mean']
    image = np.asarray(Image.open(out).convert('L'), np.float64)
    assert image.shape[1] > 300 and image.std() > 10


def test_a_plain_checkpoint_is_refused_in_one_line(tmp_path):
    tool = load_tool()
    ckpt = str(tmp_path / 'ce.pth')
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(10, 64)}}, ckpt)
    with pytest.raises(SystemExit) as e:
        tool.main([DIGITS_BBN, ckpt, '--out', str(tmp_path / 'x.png')])
    assert str(e.value) == (f'{ckpt}: not a BBN checkpoint (no '
                            'neck.rebalancing.* weights)')


def load_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location('plot_weight_norms', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_classes_are_sorted_by_training_count_and_halves_by_name():
    tool = load_tool()
    weight = torch.tensor([[3., 4., 0., 1.], [1., 0., 6., 8.],
                           [0., 2., 0., 0.]])
    norms = tool.branch_norms(weight)
    assert norms.conventional.tolist() == [5., 1., 2.]
    assert norms.rebalancing.tolist() == [1., 10., 0.]
    result = tool.summarise(norms, np.array([3, 10, 1]), ['a', 'b', 'c'])
    assert [c['name'] for c in result['classes']] == ['b', 'a', 'c']
    assert result['classes'][0] == dict(index=1, name='b', train_count=10,
                                        norm_conventional=1.0,
                                        norm_rebalancing=10.0)
    assert result['head_and_tail_thirds']['rebalancing'] == dict(
        head_mean=10.0, tail_mean=0.0)
