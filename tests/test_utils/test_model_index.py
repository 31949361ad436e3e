"""mmbbn's model zoo through MMPretrain's list_models / get_model."""
import os.path as osp

import mmpretrain
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmpretrain.apis import ModelHub

from mmbbn.registry import DATASETS
from mmbbn.utils import model_index_root, register_model_index
from ..conftest import REPO

DIGITS = 'bbn_resnet32_1xb32-200e_digits-lt'


def test_list_models_knows_every_bbn_config():
    names = mmpretrain.list_models('bbn*')
    configs = sorted(
        osp.splitext(f)[0] for f in __import__('os').listdir(
            osp.join(REPO, 'configs', 'bbn')) if f.endswith('.py'))
    assert sorted(names) == configs
    for name in names:
        assert osp.isfile(ModelHub._models_dict[name].config), name


def test_registering_twice_is_harmless():
    assert register_model_index() == []
    assert mmpretrain.list_models('bbn*')


def test_index_root_for_source_and_installed_layouts(tmp_path):
    assert model_index_root() == REPO
    package = tmp_path / 'site' / 'mmbbn'
    (package / '.mim').mkdir(parents=True)
    assert model_index_root(str(package)) is None
    (package / '.mim' / 'model-index.yml').write_text('Import: []\n')
    assert model_index_root(str(package)) == str(package / '.mim')


@pytest.fixture(scope='module')
def digits_test_split():
    metainfo = ModelHub.get(DIGITS)
    dataset = DATASETS.build(metainfo.config.test_dataloader.dataset)
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
    return batch


def top1(model, batch):
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        preds = model(**data, mode='predict')
    hits = [int(p.pred_label) == int(p.gt_label) for p in preds]
    return 100.0 * sum(hits) / len(hits), preds


def test_shipped_checkpoint_reproduces_its_recorded_accuracy(
        digits_test_split, tmp_path, monkeypatch):
    metainfo = ModelHub.get(DIGITS)
    recorded = metainfo.results[0].metrics['Top 1 Accuracy']
    weights = metainfo.weights
    assert osp.isabs(weights) and osp.isfile(weights)
    assert weights.startswith(osp.join(REPO, 'checkpoints'))
    # Resolved from any working directory.
    monkeypatch.chdir(tmp_path)
    model = mmpretrain.get_model(DIGITS, pretrained=True, device='cpu')
    acc, preds = top1(model, digits_test_split)
    assert len(preds) == 500
    assert round(acc, 2) == recorded

    inferencer = mmpretrain.ImageClassificationInferencer(
        DIGITS, pretrained=True, device='cpu')
    images = [
        np.ascontiguousarray(img.numpy()[0])
        for img in digits_test_split['inputs'][:20]
    ]
    results = inferencer(images)
    assert [r['pred_label'] for r in results] == [
        int(p.pred_label) for p in preds[:20]
    ]
    # Class names come with the checkpoint's dataset meta.
    assert [r['pred_class'] for r in results] == [
        str(r['pred_label']) for r in results
    ]


def test_entry_without_weights_refuses_pretrained_true():
    """Random weights with a warning would pass for a trained model."""
    name = 'bbn_resnet32_1xb128-200e_cifar10-lt-ir100'
    assert ModelHub.get(name).weights == f'mmbbn-no-weights://{name}'
    expected = (f'{name}: this mmbbn model-zoo entry has no trained weights '
                'yet (Weights: null in its metafile); pretrained=True cannot '
                f"load any: build it untrained with get_model('{name}') or "
                'pass pretrained=PATH_OR_URL')
    with pytest.raises(FileNotFoundError) as e:
        mmpretrain.get_model(name, pretrained=True)
    assert str(e.value) == expected
    with pytest.raises(FileNotFoundError) as e:
        mmpretrain.ImageClassificationInferencer(
            name, pretrained=True, device='cpu')
    assert str(e.value) == expected
    # Without pretrained, the entry builds its (untrained) model.
    model = mmpretrain.get_model(name)
    assert model.head.fc.out_features == 10
