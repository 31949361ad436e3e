"""Loading checkpoints without ever running code from them.

torch >= 2.6 loads with ``weights_only=True`` by default, so any pickle
payload in a ``.pth`` is refused. MMEngine 0.10.7 writes objects into its
own checkpoints (the message hub's ``HistoryBuffer`` with NumPy arrays and
scalars) that this restricted unpickler refuses, so resuming a run breaks
(``Weights only load failed ... HistoryBuffer``). Upstream MMEngine (PR
#1670, unreleased) answers with ``weights_only=False``, which would let any
downloaded checkpoint execute code.

mmbbn keeps ``weights_only=True`` for every load (resume, ``load_from``,
``init_cfg`` pretrained weights, URLs, the inferencer's ``pretrained``) and
allows exactly the plain-data types MMEngine writes: they carry data, never
code. A file that needs anything else is refused with one line naming the
file and the type; a truncated or corrupt file gets one line too.
"""
import os
import os.path as osp
import pickle
from typing import Optional
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.dist import barrier, get_dist_info
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

_HISTORY_METHODS = ('min', 'max', 'current', 'mean')


def history_buffer_method(owner, name: str):
    """The only ``getattr`` a checkpoint may call.

    A pickled ``HistoryBuffer`` names its statistics methods as
    ``getattr(HistoryBuffer, 'min')``. A general ``getattr`` would let a
    file walk from any allowed object to arbitrary callables, so the
    unpickler gets this one instead.

    Args:
        owner: Must be :class:`HistoryBuffer`.
        name (str): One of its statistics methods.

    Returns:
        Callable: ``HistoryBuffer.<name>``.
    """
    if owner is not HistoryBuffer or name not in _HISTORY_METHODS:
        raise pickle.UnpicklingError(
            f'getattr({getattr(owner, "__name__", owner)!r}, {name!r}) is '
            'not allowed in a checkpoint')
    return getattr(HistoryBuffer, name)


# Classes and functions an MMEngine checkpoint may hold: the HistoryBuffer of
# the message hub, its statistics methods, and the NumPy arrays, dtypes and
# scalars inside it.
_NUMPY_CORE = getattr(np, '_core', None) or np.core
SAFE_GLOBALS = [
    HistoryBuffer,
    (history_buffer_method, 'builtins.getattr'),
    _NUMPY_CORE.multiarray._reconstruct,
    _NUMPY_CORE.multiarray.scalar,
    np.ndarray,
    np.dtype,
] + sorted({type(np.dtype(c))
            for c in '?bBhHiIlLqQefdgFDG'}, key=lambda t: t.__name__)


class CheckpointLoadError(RuntimeError):
    """A checkpoint could not be loaded safely; the message says why."""


def safe_torch_load(filename, map_location=None, name: Optional[str] = None):
    """``torch.load`` with ``weights_only=True`` and MMEngine's data types.

    Args:
        filename (str | file-like): The checkpoint.
        map_location: As in :func:`torch.load`.
        name (str, optional): How to name the file in errors.

    Returns:
        Any: The loaded object.

    Raises:
        CheckpointLoadError: The file holds code or other objects, or it is
            truncated or not a checkpoint.
    """
    label = name or str(filename)
    install_safe_checkpoint_loading()
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        lines = [line.strip() for line in str(e).split('\n')]
        found = next((line for line in lines if 'GLOBAL' in line), lines[0])
        raise CheckpointLoadError(
            f'{label}: refused to load: it holds objects other than '
            f'tensors and plain data ({found}); mmbbn never unpickles code '
            'from a checkpoint (weights_only=True)') from None
    except (RuntimeError, EOFError, ValueError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        first = str(e).strip().split('\n')[0]
        raise CheckpointLoadError(
            f'{label}: not a readable checkpoint (truncated or corrupt?): '
            f'{first}') from None


def load_from_local(filename: str, map_location=None):
    """MMEngine's local-file scheme through :func:`safe_torch_load`.

    Args:
        filename (str): Path of the checkpoint.
        map_location: As in :func:`torch.load`.

    Returns:
        dict: The checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename}: checkpoint not found')
    return safe_torch_load(filename, map_location)


def load_from_http(filename: str,
                   map_location=None,
                   model_dir: Optional[str] = None,
                   progress: bool = True):
    """MMEngine's http(s) scheme: download once, load safely.

    Rank 0 downloads into the torch hub cache first; the other ranks wait.

    Args:
        filename (str): URL of the checkpoint.
        map_location: As in :func:`torch.load`.
        model_dir (str, optional): Cache folder; the torch hub's by default.
        progress (bool): Show download progress.

    Returns:
        dict: The checkpoint.
    """
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    cached = osp.join(model_dir, osp.basename(urlparse(filename).path))
    rank, world_size = get_dist_info()
    if rank == 0 and not osp.exists(cached):
        os.makedirs(model_dir, exist_ok=True)
        torch.hub.download_url_to_file(filename, cached, progress=progress)
    if world_size > 1:
        barrier()
    return safe_torch_load(cached, map_location, name=filename)


_INSTALLED = False


def install_safe_checkpoint_loading() -> None:
    """Make every checkpoint load safe and able to resume MMEngine runs.

    Adds :data:`SAFE_GLOBALS` to torch's ``weights_only`` allowlist (so any
    ``torch.load`` of an MMEngine checkpoint works, still without running
    code), and routes MMEngine's local and http(s) schemes through
    :func:`safe_torch_load` for one-line errors. ``torchvision://``,
    ``open-mmlab://`` and ``mmcls://`` resolve to a URL and then call
    MMEngine's module-level ``load_from_http``, which is pointed here too.
    (MMEngine's remaining direct ``torch.load`` calls, for ``pavi://``,
    ``s3://`` and local ``open-mmlab://`` files, rely on torch's own
    ``weights_only=True`` default.) Idempotent; ``import mmbbn`` calls it.
    """
    global _INSTALLED
    if _INSTALLED:
        return
    torch.serialization.add_safe_globals(SAFE_GLOBALS)
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), loader=load_from_http, force=True)
    mmengine_checkpoint.load_from_http = load_from_http
    _INSTALLED = True


__all__ = [
    'CheckpointLoadError', 'SAFE_GLOBALS', 'history_buffer_method',
    'install_safe_checkpoint_loading', 'load_from_http', 'load_from_local',
    'safe_torch_load'
]
