"""Metrics."""
from . import long_tail_metric
from .long_tail_metric import *  # noqa: F401,F403

__all__ = long_tail_metric.__all__
