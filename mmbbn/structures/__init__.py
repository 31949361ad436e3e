"""Data structures shared by mmbbn's datasets and models."""
from .branch_pair import BranchPair
from .draw import Draw

__all__ = ['BranchPair', 'Draw']
