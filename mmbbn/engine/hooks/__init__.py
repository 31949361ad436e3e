"""Hooks."""
from .cumulative_alpha_hook import (ALPHA_SCHEDULES, CumulativeAlphaHook,
                                    cumulative_alpha, official_t_max)
from .long_tail_metric_hook import LongTailMetricHook

__all__ = [
    'ALPHA_SCHEDULES', 'CumulativeAlphaHook', 'LongTailMetricHook',
    'cumulative_alpha', 'official_t_max'
]
