"""Training-time machinery: hooks."""
from .hooks import (ALPHA_SCHEDULES, ClassCountsHook, CumulativeAlphaHook,
                    DeferredResamplingHook, DeferredReweightingHook,
                    LongTailMetricHook, cumulative_alpha, official_t_max,
                    train_class_counts)

__all__ = [
    'ALPHA_SCHEDULES', 'ClassCountsHook', 'CumulativeAlphaHook',
    'DeferredResamplingHook', 'DeferredReweightingHook',
    'LongTailMetricHook', 'cumulative_alpha', 'official_t_max',
    'train_class_counts'
]
