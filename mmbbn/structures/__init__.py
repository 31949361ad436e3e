"""Data structures shared by mmbbn's datasets and models."""
from .branch_pair import BranchPair

__all__ = ['BranchPair']
