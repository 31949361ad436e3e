"""The BBN fine-tuning configs of issue 15 build and train, from weights.

Each shipped config runs 2 epochs in a real Runner on a tiny data set in
its real annotation format (iNaturalist 2018 JSON, Places-LT lists), with
its own pipelines, sampler, schedule and optimizer constructor; only
sizes shrink (backbone widths, image size, batch) and the ImageNet
checkpoint is a plain MMPretrain model of the tiny backbone written here.
"""
import os
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner, save_checkpoint

from mmbbn.registry import MODELS
from ..conftest import CONFIGS, write_image_list, write_inat

pytestmark = pytest.mark.slow

COUNTS = [8, 5, 3, 2, 1, 1]  # images per class, head to tail
TINY = {
    'bbn_convnext-tiny_4xb32-in1k-pre-100e_inat2018.py': (
        dict(arch=dict(depths=[1, 1, 1, 2], channels=[8, 16, 24, 32]),
             drop_path_rate=0.1), None, 32),
    'bbn_vit-base-p16_4xb32-in1k-pre-100e_inat2018.py': (
        dict(arch=dict(embed_dims=16, num_layers=3, num_heads=2,
                       feedforward_channels=32), img_size=32, patch_size=8),
        None, 16),
    'bbn_resnet152_4xb32-in1k-pre-30e_places-lt.py': (
        dict(stem_channels=4, base_channels=4),
        dict(type='GlobalAveragePooling'), 128),
}


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: a second thread only adds a barrier per operator (tens
    of seconds for ResNet-152's ~2,000 per step on a loaded machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_data(cfg, root):
    """Write the config's data set, tiny, and point the config at it."""
    kind = cfg.test_dataloader.dataset.type
    if kind == 'INaturalist2018':
        write_inat(root, COUNTS, 'train2018.json', seed=0)
        write_inat(root, [1] * len(COUNTS), 'val2018.json', seed=1)
    else:  # Places-LT: lists in data_root, images under data_prefix
        prefix = cfg.test_dataloader.dataset.data_prefix
        for split, counts in (('train', COUNTS), ('val', [1] * len(COUNTS)),
                              ('test', [1] * len(COUNTS))):
            name = f'Places_LT_{split}.txt'
            write_image_list(osp.join(root, prefix), name, counts,
                             folder=split, images=True, ext='jpg')
            shutil.move(osp.join(root, prefix, name), osp.join(root, name))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        dataset = dataset.get('dataset', dataset)
        dataset.data_root = root
        for t in dataset.pipeline:  # 224 px -> 32 px, same transforms
            if t.type == 'RandomResizedCrop':
                t.scale = 32
            if t.type == 'ResizeEdge':
                t.scale = 36
            if t.type == 'CenterCrop':
                t.crop_size = 32
        cfg[loader].update(batch_size=4, num_workers=0)


@pytest.mark.parametrize('name', sorted(TINY))
def test_finetune_config_trains_two_epochs_from_plain_weights(
        name, tmp_path):
    cfg = Config.fromfile(osp.join(CONFIGS, 'bbn', name))
    backbone, plain_neck, d = TINY[name]
    pretrained = cfg.model.backbone.init_cfg
    assert pretrained.type == 'Pretrained'
    assert pretrained.checkpoint.startswith('https://download.openmmlab.com/')
    assert pretrained.prefix == 'backbone.'
    # The plain ImageNet model, tiny: MMPretrain's key layout.
    plain_backbone = {k: v for k, v in cfg.model.backbone.items()
                      if k != 'init_cfg'}
    plain_backbone.update(backbone)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        plain = MODELS.build(dict(
            type='ImageClassifier', backbone=plain_backbone, neck=plain_neck,
            head=dict(type='LinearClsHead', num_classes=1000,
                      in_channels=d)))
    ckpt = str(tmp_path / 'imagenet.pth')
    save_checkpoint({'state_dict': plain.state_dict()}, ckpt)

    cfg.model.backbone.update(backbone)
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    cfg.model.head.update(num_classes=len(COUNTS), in_channels=2 * d)
    cfg.data_preprocessor.num_classes = len(COUNTS)
    tiny_data(cfg, str(tmp_path / 'data'))
    cfg.train_cfg.max_epochs = 2
    cfg.work_dir = str(tmp_path / 'work')
    cfg.default_hooks.logger.interval = 1
    cfg.experiment_name = f'{name}_{os.getpid()}'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 2 and runner.iter == 2 * (sum(COUNTS) // 4)
    model = runner.model
    assert 0 < model.head.alpha < 1
    # Both branches started from the plain network's last block.
    block = model.backbone.last_block.name
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        log = f.read()
    assert (f'BBNNeck: from {ckpt}: neck.conventional and neck.rebalancing '
            f'<- backbone.{block} (') in log
    assert 'do not match' not in log
    source = plain.state_dict()
    key = next(k for k, _ in model.neck.conventional.named_parameters())
    trained = dict(model.neck.named_parameters())
    start = source[f'backbone.{model.neck.source_key("conventional." + key)}']
    assert not torch.equal(trained[f'conventional.{key}'].detach(), start)
    assert torch.isfinite(trained[f'rebalancing.{key}']).all()
    metrics = runner.test()
    assert 0 <= metrics['lt/top1'] <= 100
