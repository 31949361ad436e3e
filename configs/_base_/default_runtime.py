# Runtime shared by every mmbbn config.
default_scope = 'mmpretrain'
# Registers mmbbn's modules into MMPretrain's registries in every process.
custom_imports = dict(imports=['mmbbn'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Keep the last checkpoint and the best by top-1 (both are reported).
    checkpoint=dict(
        type='CheckpointHook',
        interval=10,
        max_keep_ckpts=1,
        save_last=True,
        save_best='lt/top1',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
    # Per-class JSON and the best/last report, in the run's log dir.
    long_tail=dict(type='LongTailMetricHook'),
    # Training-class counts for the modules and metrics that ask (the
    # baselines' losses and post-hoc heads, LongTailMetric).
    class_counts=dict(type='ClassCountsHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

# BBN's alpha is logged as it is at each logged iteration, not averaged.
log_processor = dict(
    window_size=10,
    custom_cfg=[dict(data_src='alpha', method_name='current')])
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
