"""Model utilities."""

__all__ = []
