"""mmbbn: BBN (Bilateral-Branch Network, CVPR 2020) for MMPretrain.

``import mmbbn`` registers every mmbbn module into MMPretrain's registries,
lets torch's ``weights_only`` loading read MMEngine's own checkpoints (with
one-line errors for refused or unreadable files; see
:mod:`mmbbn.utils.checkpoint`) and adds mmbbn's model zoo to MMPretrain's
``list_models`` / ``get_model`` (see :mod:`mmbbn.utils.model_index`).
"""
from .utils import register_model_index, setup_checkpoint_loading
from .version import __version__

setup_checkpoint_loading()

from . import (datasets, engine, evaluation, models, structures,  # noqa: E402
               visualization)

register_model_index()

__all__ = [
    '__version__', 'datasets', 'engine', 'evaluation', 'models', 'structures',
    'visualization'
]
