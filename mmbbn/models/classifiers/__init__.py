"""Classifiers."""
from .bbn_classifier import BBNClassifier

__all__ = ['BBNClassifier']
