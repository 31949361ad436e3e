"""Loops."""
from .batched_loops import BatchedTestLoop, BatchedValLoop

__all__ = ['BatchedTestLoop', 'BatchedValLoop']
