"""Training-time machinery: hooks."""
from .hooks import (ALPHA_SCHEDULES, ChannelsLastHook, CumulativeAlphaHook,
                    LongTailMetricHook, cumulative_alpha, official_t_max,
                    to_channels_last)

__all__ = [
    'ALPHA_SCHEDULES', 'ChannelsLastHook', 'CumulativeAlphaHook',
    'LongTailMetricHook', 'cumulative_alpha', 'official_t_max',
    'to_channels_last'
]
