"""mmbbn: BBN (Bilateral-Branch Network, CVPR 2020) for MMPretrain.

``import mmbbn`` registers every mmbbn module into MMPretrain's registries
and makes checkpoint loading safe (see :mod:`mmbbn.utils.checkpoint`).
"""
from .utils import install_safe_checkpoint_loading
from .version import __version__

install_safe_checkpoint_loading()

from . import (datasets, engine, evaluation, models,  # noqa: E402
               structures, visualization)

__all__ = [
    '__version__', 'datasets', 'engine', 'evaluation', 'models', 'structures',
    'visualization'
]
