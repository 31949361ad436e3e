"""Hooks."""
from .buffered_runtime_info_hook import BufferedRuntimeInfoHook
from .channels_last_hook import ChannelsLastHook, to_channels_last
from .class_counts_hook import ClassCountsHook, train_class_counts
from .compile_hook import CompileHook, compile_targets
from .cumulative_alpha_hook import (ALPHA_SCHEDULES, CumulativeAlphaHook,
                                    cumulative_alpha, official_t_max)
from .deferred_hooks import DeferredResamplingHook, DeferredReweightingHook
from .long_tail_metric_hook import LongTailMetricHook

__all__ = [
    'ALPHA_SCHEDULES', 'BufferedRuntimeInfoHook', 'ChannelsLastHook',
    'ClassCountsHook', 'CompileHook', 'CumulativeAlphaHook',
    'DeferredResamplingHook', 'DeferredReweightingHook', 'LongTailMetricHook',
    'compile_targets', 'cumulative_alpha', 'official_t_max',
    'to_channels_last', 'train_class_counts'
]
