"""mmbbn: BBN (Bilateral-Branch Network, CVPR 2020) for MMPretrain.

``import mmbbn`` registers every mmbbn module into MMPretrain's registries,
makes checkpoint loading safe (see :mod:`mmbbn.utils.checkpoint`) and adds
mmbbn's model zoo to MMPretrain's ``list_models`` / ``get_model`` (see
:mod:`mmbbn.utils.model_index`).
"""
from .utils import install_safe_checkpoint_loading, register_model_index
from .version import __version__

install_safe_checkpoint_loading()

from . import (datasets, engine, evaluation, models, structures,  # noqa: E402
               visualization)

register_model_index()

__all__ = [
    '__version__', 'datasets', 'engine', 'evaluation', 'models', 'structures',
    'visualization'
]
