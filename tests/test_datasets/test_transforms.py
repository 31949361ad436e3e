"""Image files reach the model as the data set's own images do."""
import os.path as osp

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from PIL import Image

from mmbbn.datasets import ConvertImageFile
from mmbbn.registry import DATASETS
from ..conftest import CONFIGS, REPO, write_cifar

CIFAR10 = osp.join(CONFIGS, 'bbn',
                   'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py')
CIFAR100 = osp.join(CONFIGS, 'baselines', 'ce',
                    'resnet32_1xb128-200e_cifar100-lt-ir100.py')
DIGITS = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')


def zoo_models():
    """Every model-zoo entry with weights: (name, config file)."""
    from modelindex.load_model_index import load
    index = load(osp.join(REPO, 'model-index.yml'))
    index.build_models_with_collections()
    return [pytest.param(m.name, osp.join(REPO, m.config), id=m.name)
            for m in index.models if m.weights]


def test_data_set_items_pass_and_file_images_are_converted():
    rgb = np.random.default_rng(0).integers(0, 255, (4, 5, 3), np.uint8)
    item = dict(img=rgb.copy(), gt_label=1, sample_idx=0)
    assert ConvertImageFile('rgb')(item)['img'] is item['img']
    loaded = dict(img=rgb[..., ::-1], img_shape=(4, 5), ori_shape=(4, 5))
    assert np.array_equal(ConvertImageFile('rgb')(loaded)['img'], rgb)
    grey = rgb[..., 0]
    colour = dict(img=np.stack([grey] * 3, -1), ori_shape=(4, 5))
    assert np.array_equal(ConvertImageFile('gray')(colour)['img'], grey)
    flat = dict(img=grey.copy(), ori_shape=(4, 5))
    assert np.array_equal(ConvertImageFile('gray')(flat)['img'], grey)
    assert ConvertImageFile('rgb')(dict(flat))['img'].shape == (4, 5, 3)
    with pytest.raises(ValueError, match="color='bgr' is not one of gray"):
        ConvertImageFile('bgr')


def eval_set(cfg, tmp_path):
    """The config's test set; CIFAR on generated pickles."""
    data = cfg.test_dataloader.dataset
    if data.type.startswith('CIFAR'):
        classes = 100 if '100' in data.type else 10
        data.data_root = write_cifar(str(tmp_path / 'cifar'), classes, 5, 3)
        data.check_md5 = False
    return DATASETS.build(data)


def write_png(img, path):
    """The image as a PNG; an RGB image's channels stay in their order."""
    Image.fromarray(img).save(path)
    return path


def model_inputs(inferencer, dataset, index, path):
    """What the model sees from the file (inferencer) and from the item."""
    pre = inferencer.model.data_preprocessor
    (batch, ) = list(inferencer.preprocess([path]))
    from_file = pre(batch, False)['inputs']
    from_item = pre(default_collate([dataset[index]]), False)['inputs']
    return from_file, from_item


@pytest.mark.parametrize('config', [DIGITS, CIFAR10, CIFAR100],
                         ids=osp.basename)
def test_the_model_sees_the_same_tensor_from_a_file_and_an_item(
        config, tmp_path):
    from mmpretrain import ImageClassificationInferencer
    cfg = Config.fromfile(config)
    dataset = eval_set(cfg, tmp_path)
    inferencer = ImageClassificationInferencer(config, pretrained=False,
                                               device='cpu')
    for index in (0, 7):
        img = dataset.get_data_info(index)['img']
        path = write_png(img, str(tmp_path / f'{index}.png'))
        from_file, from_item = model_inputs(inferencer, dataset, index, path)
        # The normalised image in the data set's own channel order (grey
        # for Digits-LT; R, G, B for CIFAR): (x - mean) / std, CHW.
        pixels = torch.from_numpy(np.atleast_3d(img).copy()).float()
        mean = torch.tensor(cfg.data_preprocessor.mean).view(-1, 1, 1)
        std = torch.tensor(cfg.data_preprocessor.std).view(-1, 1, 1)
        expected = ((pixels.permute(2, 0, 1) - mean) / std)[None]
        assert torch.allclose(from_item, expected, atol=1e-6)
        assert torch.equal(from_file, from_item)


@pytest.mark.parametrize('name,config', zoo_models())
def test_every_zoo_model_predicts_an_image_file_as_its_test_image(
        name, config, tmp_path):
    # Without ConvertImageFile the Digits-LT model gets the PNG as 3 BGR
    # channels and fails ("expected input[1, 3, 8, 8] to have 1 channels"),
    # and a CIFAR model would see a file's channels reversed.
    from mmpretrain import ImageClassificationInferencer
    dataset = eval_set(Config.fromfile(config), tmp_path)
    inferencer = ImageClassificationInferencer(name, pretrained=True)
    for index in (0, 123 % len(dataset)):
        img = dataset.get_data_info(index)['img']
        path = write_png(img, str(tmp_path / f'{index}.png'))
        from_file = inferencer(path)[0]
        # The same image as a NumPy array, in MMCV's layout (what imread
        # gives: grey stays 2-D, colour is BGR).
        array = img if img.ndim == 2 else mmcv.rgb2bgr(img)
        from_array = inferencer(array)[0]
        # Through the data set: its item, the model's own test step.
        with torch.no_grad():
            (sample, ) = inferencer.model.test_step(
                default_collate([dataset[index]]))
        scores = sample.pred_score.numpy()
        for result in (from_file, from_array):
            assert result['pred_label'] == int(sample.pred_label)
            assert np.array_equal(np.float32(result['pred_scores']), scores)
