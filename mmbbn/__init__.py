"""mmbbn: BBN (Bilateral-Branch Network, CVPR 2020) for MMPretrain.

``import mmbbn`` registers every module into MMPretrain's registries, sets
up checkpoint loading (:mod:`mmbbn.utils.checkpoint`) and adds the model
zoo to ``list_models`` / ``get_model`` (:mod:`mmbbn.utils.model_index`).
"""
from .utils import register_model_index, setup_checkpoint_loading
from .version import __version__

setup_checkpoint_loading()

from . import datasets, engine, evaluation, models, structures  # noqa: E402

register_model_index()

__all__ = [
    '__version__', 'datasets', 'engine', 'evaluation', 'models', 'structures'
]
