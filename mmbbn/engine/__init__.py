"""Training-time machinery: hooks."""
from .hooks import (ALPHA_SCHEDULES, ChannelsLastHook, ClassCountsHook,
                    CumulativeAlphaHook, DeferredResamplingHook,
                    DeferredReweightingHook, LongTailMetricHook,
                    cumulative_alpha, official_t_max, to_channels_last,
                    train_class_counts)

__all__ = [
    'ALPHA_SCHEDULES', 'ChannelsLastHook', 'ClassCountsHook',
    'CumulativeAlphaHook', 'DeferredResamplingHook',
    'DeferredReweightingHook', 'LongTailMetricHook', 'cumulative_alpha',
    'official_t_max', 'to_channels_last', 'train_class_counts'
]
