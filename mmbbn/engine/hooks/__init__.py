"""Hooks."""
from .cumulative_alpha_hook import (ALPHA_SCHEDULES, CumulativeAlphaHook,
                                    cumulative_alpha, official_t_max)
from .channels_last_hook import ChannelsLastHook, to_channels_last
from .long_tail_metric_hook import LongTailMetricHook

__all__ = [
    'ALPHA_SCHEDULES', 'ChannelsLastHook', 'CumulativeAlphaHook',
    'LongTailMetricHook', 'cumulative_alpha', 'official_t_max',
    'to_channels_last'
]
