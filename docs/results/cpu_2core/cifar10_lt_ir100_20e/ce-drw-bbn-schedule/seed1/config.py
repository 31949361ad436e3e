auto_scale_lr = dict(base_batch_size=128)
custom_hooks = [
    dict(switch_epoch=12, type='DeferredReweightingHook'),
    dict(type='ChannelsLastHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmbbn',
    ])
data_preprocessor = dict(
    mean=[
        125.307,
        122.961,
        113.8575,
    ],
    num_classes=10,
    std=[
        51.5865,
        50.847,
        51.255,
    ],
    to_rgb=True)
data_root = 'data/cifar10'
dataset_type = 'CIFAR10LT'
default_hooks = dict(
    checkpoint=dict(
        interval=10,
        max_keep_ckpts=1,
        rule='greater',
        save_best='lt/top1',
        save_last=True,
        type='CheckpointHook'),
    class_counts=dict(type='ClassCountsHook'),
    logger=dict(interval=50, type='LoggerHook'),
    long_tail=dict(type='LongTailMetricHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'),
    visualization=dict(enable=False, type='VisualizationHook'))
default_scope = 'mmpretrain'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
launcher = 'none'
load_from = None
log_level = 'INFO'
log_processor = dict(
    custom_cfg=[
        dict(data_src='alpha', method_name='current'),
    ],
    window_size=10)
model = dict(
    backbone=dict(depth=32, in_channels=3, type='CifarResNet'),
    head=dict(
        in_channels=64,
        init_cfg=None,
        loss=dict(
            beta=0.9999,
            loss_weight=1.0,
            type='ReweightedCrossEntropyLoss',
            weighting='effective_number'),
        num_classes=10,
        type='LinearClsHead'),
    neck=dict(type='GlobalAveragePooling'),
    type='ImageClassifier')
optim_wrapper = dict(
    optimizer=dict(
        lr=0.1, momentum=0.9, nesterov=True, type='SGD', weight_decay=0.0002))
param_scheduler = [
    dict(
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=1,
        start_factor=0.3333333333333333,
        type='LinearLR'),
    dict(by_epoch=True, gamma=0.01, milestones=[
        12,
        16,
    ], type='MultiStepLR'),
]
randomness = dict(deterministic=False, seed=1)
resume = False
test_cfg = dict()
test_dataloader = dict(
    batch_size=256,
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        check_md5=False,
        data_root='data/cifar10',
        pipeline=[
            dict(type='PackInputs'),
        ],
        split='test',
        type='CIFAR10LT'),
    num_workers=2,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_dataset = dict(
    data_root='data/cifar10',
    pipeline=[
        dict(type='PackInputs'),
    ],
    split='test',
    type='CIFAR10LT')
test_evaluator = dict(
    topk=(
        1,
        5,
    ), type='LongTailMetric')
test_pipeline = [
    dict(type='PackInputs'),
]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=2)
train_dataloader = dict(
    batch_size=128,
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        check_md5=False,
        data_root='data/cifar10',
        imbalance_factor=100,
        pipeline=[
            dict(crop_size=32, padding=4, type='RandomCrop'),
            dict(direction='horizontal', prob=0.5, type='RandomFlip'),
            dict(type='PackInputs'),
        ],
        split='train',
        type='CIFAR10LT'),
    drop_last=True,
    num_workers=2,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(shuffle=True, type='DefaultSampler'))
train_dataset = dict(
    data_root='data/cifar10',
    imbalance_factor=100,
    pipeline=[
        dict(crop_size=32, padding=4, type='RandomCrop'),
        dict(direction='horizontal', prob=0.5, type='RandomFlip'),
        dict(type='PackInputs'),
    ],
    split='train',
    type='CIFAR10LT')
train_pipeline = [
    dict(crop_size=32, padding=4, type='RandomCrop'),
    dict(direction='horizontal', prob=0.5, type='RandomFlip'),
    dict(type='PackInputs'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=256,
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        check_md5=False,
        data_root='data/cifar10',
        pipeline=[
            dict(type='PackInputs'),
        ],
        split='test',
        type='CIFAR10LT'),
    num_workers=2,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(
    topk=(
        1,
        5,
    ), type='LongTailMetric')
vis_backends = [
    dict(type='LocalVisBackend'),
]
visualizer = dict(
    type='UniversalVisualizer', vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = '/work/repro/c10_20e/ce-drw-bbn-schedule/seed1'
