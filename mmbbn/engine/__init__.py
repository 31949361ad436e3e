"""Training-time machinery: hooks."""
from .hooks import (ALPHA_SCHEDULES, CumulativeAlphaHook, LongTailMetricHook,
                    cumulative_alpha, official_t_max)

__all__ = [
    'ALPHA_SCHEDULES', 'CumulativeAlphaHook', 'LongTailMetricHook',
    'cumulative_alpha', 'official_t_max'
]
