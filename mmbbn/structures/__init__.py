"""Data structures shared by mmbbn's datasets and models."""
from .batch_data_sample import BatchDataSample, is_batch_sample
from .branch_pair import BranchPair
from .draw import Draw

__all__ = ['BatchDataSample', 'BranchPair', 'Draw', 'is_batch_sample']
