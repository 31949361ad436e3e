"""The paper's branch analysis from tools/test.py, as a user runs it.

``--cfg-options model.neck.inference_alpha=a`` evaluates a trained BBN
with logits ``FC(2 [a f_c, (1 - a) f_r])``: 1 is the conventional branch
alone, 0 the re-balancing branch alone. Checked against that formula on the
shipped Digits-LT checkpoint, over its whole test split.
"""
import glob
import os.path as osp
import pickle
import subprocess

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmbbn.registry import DATASETS, MODELS
from ..conftest import CONFIGS, REPO, TOOLS

pytestmark = pytest.mark.slow
DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')


@pytest.mark.parametrize('alpha', [1.0, 0.0])
def test_one_branch_alone_from_the_test_tool(alpha, tmp_path, python):
    (ckpt, ) = glob.glob(osp.join(REPO, 'checkpoints', 'bbn',
                                  'bbn_resnet32_1xb32-200e_digits-lt_*.pth'))
    out = str(tmp_path / 'preds.pkl')
    run = subprocess.run(
        [python, osp.join(TOOLS, 'test.py'), DIGITS_BBN, ckpt, '--work-dir',
         str(tmp_path), '--out', out, '--cfg-options',
         f'model.neck.inference_alpha={alpha}'],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    with open(out, 'rb') as f:
        dumped = pickle.load(f)

    # The formula, from the modules of the same checkpoint.
    cfg = Config.fromfile(DIGITS_BBN)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(dict(
            cfg.model, data_preprocessor=cfg.data_preprocessor)).eval()
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
    load_checkpoint(model, ckpt, strict=True)
    batch = model.data_preprocessor(
        pseudo_collate([dataset[i] for i in range(len(dataset))]), False)
    with torch.no_grad():
        x = model.backbone(batch['inputs'])[-1]
        f_c = model.neck.pool(model.neck.conventional(x)).flatten(1)
        f_r = model.neck.pool(model.neck.rebalancing(x)).flatten(1)
        logits = model.head.fc(
            2 * torch.cat([alpha * f_c, (1 - alpha) * f_r], dim=1))
        plain = model(batch['inputs'], mode='tensor')  # a = 0.5
    scores = torch.stack([torch.as_tensor(d['pred_score']) for d in dumped])
    assert len(dumped) == len(dataset) == 500
    torch.testing.assert_close(scores, logits.softmax(1), rtol=1e-4,
                               atol=1e-5)
    # One branch alone is another classifier than both together.
    assert (logits.argmax(1) != plain.argmax(1)).any()
