"""Hooks."""
from .class_counts_hook import ClassCountsHook, train_class_counts
from .cumulative_alpha_hook import (ALPHA_SCHEDULES, CumulativeAlphaHook,
                                    cumulative_alpha, official_t_max)
from .deferred_hooks import DeferredResamplingHook, DeferredReweightingHook
from .long_tail_metric_hook import LongTailMetricHook
from .speed_hooks import (BufferedRuntimeInfoHook, ChannelsLastHook,
                          CompileHook, compile_targets, to_channels_last)

__all__ = [
    'ALPHA_SCHEDULES', 'BufferedRuntimeInfoHook', 'ChannelsLastHook',
    'ClassCountsHook', 'CompileHook', 'CumulativeAlphaHook',
    'DeferredResamplingHook', 'DeferredReweightingHook', 'LongTailMetricHook',
    'compile_targets', 'cumulative_alpha', 'official_t_max',
    'to_channels_last', 'train_class_counts'
]
