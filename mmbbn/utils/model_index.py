"""mmbbn's model zoo inside MMPretrain's ``list_models`` / ``get_model``."""
import os.path as osp
from typing import List, Optional

from mmengine.runner.checkpoint import CheckpointLoader
from mmpretrain.apis import ModelHub

INDEX_NAME = 'model-index.yml'
NO_WEIGHTS = 'mmbbn-no-weights://'
_PACKAGE = osp.dirname(osp.dirname(osp.abspath(__file__)))


def model_index_root(package_dir: str = _PACKAGE) -> Optional[str]:
    """Folder of ``model-index.yml``, ``configs/`` and ``checkpoints/``: the
    source checkout (over a maybe stale ``.mim`` left in it by an earlier
    ``pip install .``), else the package's ``.mim``, else None."""
    source_root = osp.dirname(package_dir)
    if (osp.isfile(osp.join(source_root, INDEX_NAME))
            and osp.isdir(osp.join(source_root, 'configs', 'bbn'))):
        return source_root
    mim_root = osp.join(package_dir, '.mim')
    return mim_root if osp.isfile(osp.join(mim_root, INDEX_NAME)) else None


def load_no_weights(filename: str, map_location=None):
    """Loader of :data:`NO_WEIGHTS`: always fails, naming the model."""
    name = filename[len(NO_WEIGHTS):]
    raise FileNotFoundError(
        f'{name}: this mmbbn model-zoo entry has no trained weights yet '
        '(Weights: null in its metafile); pretrained=True cannot load '
        f'any: build it untrained with get_model({name!r}) or pass '
        'pretrained=PATH_OR_URL')


def register_model_index(root: Optional[str] = None) -> List[str]:
    """Register ``model-index.yml`` (MMPretrain's schema) of ``root``
    (default :func:`model_index_root`) with ``ModelHub``, once; return the
    names this call registered.

    Relative ``Weights`` are made absolute (``get_model(name,
    pretrained=True)`` works from any folder); ``Weights: null`` becomes
    :data:`NO_WEIGHTS`, which fails in one line where MMPretrain would
    warn and return random weights.
    """
    root = root or model_index_root()
    if root is None:
        return []
    from modelindex.load_model_index import load
    index = load(osp.join(root, INDEX_NAME))
    index.build_models_with_collections()
    names = [m.name.lower() for m in index.models]
    # ModelHub raises on a second registration (a second import, a reload).
    if not names or all(ModelHub.has(name) for name in names):
        return []
    CheckpointLoader.register_scheme(
        prefixes=NO_WEIGHTS, loader=load_no_weights, force=True)
    ModelHub.register_model_index(
        osp.join(root, INDEX_NAME), config_prefix=root)
    for name in names:
        # ModelHub has no public setter; it expands configs the same way.
        meta = ModelHub._models_dict[name]
        if not meta.weights:
            meta.weights = NO_WEIGHTS + name
        elif '://' not in meta.weights and not osp.isabs(meta.weights):
            meta.weights = osp.abspath(osp.join(root, meta.weights))
    return names
