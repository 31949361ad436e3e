"""Training-time machinery: hooks, loops, optimizer wrappers."""
from .hooks import (ALPHA_SCHEDULES, BufferedRuntimeInfoHook,
                    ChannelsLastHook, ClassCountsHook, CompileHook,
                    CumulativeAlphaHook, DeferredResamplingHook,
                    DeferredReweightingHook, LongTailMetricHook,
                    compile_targets, cumulative_alpha, official_t_max,
                    to_channels_last, train_class_counts)
from .optimizers import AutocastOptimWrapper
from .runners import BatchedTestLoop, BatchedValLoop

__all__ = [
    'ALPHA_SCHEDULES', 'AutocastOptimWrapper', 'BatchedTestLoop',
    'BatchedValLoop', 'BufferedRuntimeInfoHook', 'ChannelsLastHook',
    'ClassCountsHook', 'CompileHook', 'CumulativeAlphaHook',
    'DeferredResamplingHook', 'DeferredReweightingHook', 'LongTailMetricHook',
    'compile_targets', 'cumulative_alpha', 'official_t_max',
    'to_channels_last', 'train_class_counts'
]
