"""Evaluation: the long-tail metric."""
from .metrics import (LongTailMetric, expected_calibration_error,
                      per_class_accuracy, reliability_bins, shot_groups)

__all__ = [
    'LongTailMetric', 'expected_calibration_error', 'per_class_accuracy',
    'reliability_bins', 'shot_groups'
]
