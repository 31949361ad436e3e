"""Metrics."""
from .long_tail_metric import (LongTailMetric, expected_calibration_error,
                               json_safe, per_class_accuracy,
                               reliability_bins, shot_groups)

__all__ = [
    'LongTailMetric', 'expected_calibration_error', 'json_safe',
    'per_class_accuracy', 'reliability_bins', 'shot_groups'
]
