"""Tiny but complete runner configs for end-to-end tests."""
import copy
import os.path as osp
import uuid

from mmengine.config import Config

# Config.fromfile honours custom_imports; a Config built in Python does not.
import mmbbn  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def tiny_bbn_cfg(data_root: str, work_dir: str, max_epochs: int = 2,
                 **overrides) -> Config:
    """BBN ResNet-20 on tiny CIFAR-10-LT pickles, deterministic pipeline.

    Args:
        data_root (str): Where ``write_cifar`` put the pickles.
        work_dir (str): The runner's work dir.
        max_epochs (int): Training epochs.
        **overrides: Top-level config keys to replace.

    Returns:
        Config: A config for :meth:`Runner.from_cfg`.
    """
    train = dict(type='CIFAR10LT', data_root=data_root, split='train',
                 imbalance_factor=8, check_md5=False,
                 pipeline=[dict(type='PackInputs')])
    test = dict(type='CIFAR10LT', data_root=data_root, split='test',
                check_md5=False, pipeline=[dict(type='PackInputs')])
    cfg = dict(
        default_scope='mmpretrain',
        custom_imports=dict(imports=['mmbbn'], allow_failed_imports=False),
        work_dir=work_dir,
        # Runners of one second would otherwise share logger and visualizer.
        experiment_name=f'test_{uuid.uuid4().hex[:12]}',
        model=dict(
            type='BBNClassifier',
            backbone=dict(type='CifarResNet', depth=20,
                          split_last_block=True),
            neck=dict(type='BBNNeck'),
            head=dict(type='BBNHead', num_classes=10, in_channels=128),
            data_preprocessor=dict(
                num_classes=10, mean=[125.3, 123.0, 113.9],
                std=[51.6, 50.8, 51.3], to_rgb=False)),
        train_dataloader=dict(
            batch_size=16, num_workers=0,
            dataset=dict(type='DualSampleDataset', dataset=train),
            sampler=dict(type='DualSampler', rebalance='reversed'),
            drop_last=True),
        val_dataloader=dict(
            batch_size=30, num_workers=0, dataset=test,
            sampler=dict(type='DefaultSampler', shuffle=False)),
        val_evaluator=dict(type='LongTailMetric', topk=(1, 5)),
        test_dataloader=dict(
            batch_size=30, num_workers=0, dataset=test,
            sampler=dict(type='DefaultSampler', shuffle=False)),
        test_evaluator=dict(type='LongTailMetric', topk=(1, 5)),
        optim_wrapper=dict(optimizer=dict(
            type='SGD', lr=0.05, momentum=0.9, weight_decay=2e-4,
            nesterov=True)),
        param_scheduler=[dict(type='MultiStepLR', by_epoch=True,
                              milestones=[1], gamma=0.1)],
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs,
                       val_interval=1),
        val_cfg=dict(),
        test_cfg=dict(),
        custom_hooks=[dict(type='CumulativeAlphaHook')],
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=1,
                            save_best='lt/top1', rule='greater'),
            long_tail=dict(type='LongTailMetricHook'),
            class_counts=dict(type='ClassCountsHook')),
        log_processor=dict(custom_cfg=[dict(data_src='alpha',
                                            method_name='current')]),
        randomness=dict(seed=0),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        log_level='INFO',
    )
    cfg.update(copy.deepcopy(overrides))
    return Config(cfg)


def tiny_cls_cfg(data_root: str, work_dir: str, max_epochs: int = 2,
                 **overrides) -> Config:
    """A plain ResNet-20 classifier on the tiny CIFAR-10-LT pickles.

    The data, schedule and evaluation of :func:`tiny_bbn_cfg`, with an
    ``ImageClassifier`` (GAP + ``LinearClsHead``), the plain training
    sampler and wrapper of the shipped configs (``SeededSampler``,
    ``SeededDataset``) and :class:`ClassCountsHook`, for the baselines'
    pieces.

    Args:
        data_root (str): Where ``write_cifar`` put the pickles.
        work_dir (str): The runner's work dir.
        max_epochs (int): Training epochs.
        **overrides: Top-level config keys to replace.

    Returns:
        Config: A config for :meth:`Runner.from_cfg`.
    """
    cfg = tiny_bbn_cfg(data_root, work_dir, max_epochs)
    cfg.model = dict(
        type='ImageClassifier',
        backbone=dict(type='CifarResNet', depth=20),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=64),
        data_preprocessor=cfg.model.data_preprocessor)
    cfg.train_dataloader.dataset.type = 'SeededDataset'
    cfg.train_dataloader.sampler = dict(type='SeededSampler', shuffle=True)
    cfg.custom_hooks = []
    cfg.default_hooks.class_counts = dict(type='ClassCountsHook')
    cfg.log_processor = dict()
    cfg.update(copy.deepcopy(overrides))
    return cfg
