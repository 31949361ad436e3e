"""mmbbn's model zoo inside MMPretrain's ``list_models`` / ``get_model``.

``model-index.yml`` (and the ``configs/*/metafile.yml`` it imports) follow
MMPretrain's schema. An installed package keeps them, with the configs and
the shipped checkpoints, in ``mmbbn/.mim``; a source checkout (or an
editable install) at the repository root, next to the ``mmbbn`` folder.
``import mmbbn`` registers the index once with
``ModelHub.register_model_index``; ``Weights`` given as paths relative to
the index are made absolute, so ``get_model(name, pretrained=True)`` finds
the shipped files from any working directory.

An entry without weights (``Weights: null``: not trained yet) would make
MMPretrain's ``get_model(name, pretrained=True)`` warn and return random
weights. Its weights are recorded as ``mmbbn-no-weights://NAME`` instead,
a checkpoint scheme of its own whose loader fails in one line naming the
model; ``get_model(name)`` without ``pretrained`` still builds it.
"""
import os.path as osp
from typing import List, Optional

from mmengine.runner.checkpoint import CheckpointLoader
from mmpretrain.apis import ModelHub

INDEX_NAME = 'model-index.yml'
_PACKAGE = osp.dirname(osp.dirname(osp.abspath(__file__)))


def model_index_root(package_dir: str = _PACKAGE) -> Optional[str]:
    """Folder holding ``model-index.yml``, ``configs/`` and ``checkpoints/``.

    A source checkout wins over a ``.mim`` folder left in it by an earlier
    ``pip install .`` (a copy that may be stale).

    Args:
        package_dir (str): The ``mmbbn`` package folder.

    Returns:
        str | None: The repository root, ``mmbbn/.mim``, or None when
        neither holds an index.
    """
    source_root = osp.dirname(package_dir)
    if (osp.isfile(osp.join(source_root, INDEX_NAME))
            and osp.isdir(osp.join(source_root, 'configs', 'bbn'))):
        return source_root
    mim_root = osp.join(package_dir, '.mim')
    if osp.isfile(osp.join(mim_root, INDEX_NAME)):
        return mim_root
    return None


NO_WEIGHTS = 'mmbbn-no-weights://'


def _is_local(weights: str) -> bool:
    return '://' not in weights and not osp.isabs(weights)


def load_no_weights(filename: str, map_location=None):
    """Loader of :data:`NO_WEIGHTS`: the entry has nothing to load.

    Args:
        filename (str): ``mmbbn-no-weights://NAME``.
        map_location: Unused (a loader's signature).

    Raises:
        FileNotFoundError: Always, naming the model.
    """
    name = filename[len(NO_WEIGHTS):]
    raise FileNotFoundError(
        f'{name}: this mmbbn model-zoo entry has no trained weights yet '
        '(Weights: null in its metafile); pretrained=True cannot load '
        f'any: build it untrained with get_model({name!r}) or pass '
        'pretrained=PATH_OR_URL')


def register_model_index(root: Optional[str] = None) -> List[str]:
    """Make mmbbn's models known to MMPretrain's ``ModelHub``.

    Registering the same index twice would raise in ``ModelHub``, so names
    already known are left alone (a second import, a reload).

    Args:
        root (str, optional): Folder of ``model-index.yml``; found by
            :func:`model_index_root` by default.

    Returns:
        list[str]: The model names registered by this call.
    """
    root = root or model_index_root()
    if root is None:
        return []
    from modelindex.load_model_index import load
    index = load(osp.join(root, INDEX_NAME))
    index.build_models_with_collections()
    names = [m.name.lower() for m in index.models]
    if not names or all(ModelHub.has(name) for name in names):
        return []
    CheckpointLoader.register_scheme(
        prefixes=NO_WEIGHTS, loader=load_no_weights, force=True)
    ModelHub.register_model_index(
        osp.join(root, INDEX_NAME), config_prefix=root)
    for name in names:
        # ModelHub keeps no public setter; its own entries are expanded the
        # same way for configs (``config_prefix``).
        meta = ModelHub._models_dict[name]
        if not meta.weights:
            meta.weights = NO_WEIGHTS + name
        elif _is_local(meta.weights):
            meta.weights = osp.abspath(osp.join(root, meta.weights))
    return names


__all__ = [
    'NO_WEIGHTS', 'load_no_weights', 'model_index_root', 'register_model_index'
]
