"""mmbbn: BBN for MMPretrain; importing it registers modules and models."""
from .utils import register_model_index, setup_checkpoint_loading
from .version import __version__

setup_checkpoint_loading()

from . import datasets, engine, evaluation, models, structures  # noqa: E402

register_model_index()

__all__ = [
    '__version__', 'datasets', 'engine', 'evaluation', 'models', 'structures'
]
