"""Checkpoints under torch >= 2.6: nothing runs code, one-line errors.

The trust decision: no checkpoint is trusted, and none needs to be. Every
load is ``weights_only=True``, a run's own checkpoints included, so a
pickle payload in a downloaded, ``load_from``, ``init_cfg`` or
``pretrained=`` file is refused. What that takes with MMEngine 0.10.7:

* torch >= 2.6 (:func:`check_torch_version`), whose ``torch.load``
  defaults to ``weights_only=True``; MMEngine's local, ``pavi://``,
  ``s3://`` and ``open-mmlab://`` (local) loads rely on that default.
* :data:`SAFE_GLOBALS`, the plain-data types MMEngine writes into its own
  checkpoints (the message hub's ``HistoryBuffer``, the NumPy arrays and
  scalars in it). Without them resuming fails with ``Weights only load
  failed ... HistoryBuffer``; upstream MMEngine answers with
  ``weights_only=False`` (PR #1670), which would let any file run code.
  They carry data, never code; the one callable, ``getattr``, is replaced
  by :func:`history_buffer_method`, which reaches nothing else.
* One replaced name, ``mmengine.runner.checkpoint.load_url``: every URL
  MMEngine loads (``http(s)://``, and ``torchvision://``,
  ``open-mmlab://``, ``mmcls://`` names, which resolve to URLs) goes
  through it to ``torch.hub.load_state_dict_from_url``, whose
  ``weights_only`` defaults to False even in torch 2.14: a payload served
  by a URL runs (``tests/test_utils/test_checkpoint.py::test_url`` fails
  without it). :func:`load_url` is the same call with
  ``weights_only=True``; MMEngine's download and rank-0-first logic stay
  its own.

One-line errors: for a refused or unreadable file torch raises a six-line
message that does not name the file and suggests ``weights_only=False``
(for a file that is not a checkpoint at all, a bare ``KeyError: 104``).
``tests/test_utils/test_checkpoint.py`` asserts one line naming the file
for every entry point a user meets (a URL through ``load_checkpoint``,
``load_from`` and resume in a Runner, ``init_cfg``, ``get_model`` and the
inferencer's ``pretrained``, truncated and non-checkpoint files). All of
them reach torch through MMEngine's local and http(s) schemes, so
:func:`register_one_line_errors` wraps exactly these two loaders: the
wrappers call MMEngine's own and only reword what they raise. The other
schemes keep torch's messages.
"""
import functools
import pickle
from typing import Callable, Optional

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version

_HISTORY_METHODS = ('min', 'max', 'current', 'mean')
# The first torch whose ``torch.load`` defaults to ``weights_only=True``.
MIN_TORCH = '2.6.0'


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


def check_torch_version(version: str = torch.__version__) -> None:
    """Refuse a torch that would unpickle code from checkpoints.

    Before 2.6, ``torch.load`` (so every MMEngine load) defaults to
    ``weights_only=False``, and the trust decision above would not hold.

    Args:
        version (str): The torch version.

    Raises:
        ImportError: ``version`` is older than :data:`MIN_TORCH`.
    """
    if digit_version(version) < digit_version(MIN_TORCH):
        raise ImportError(
            f'mmbbn needs torch>={MIN_TORCH} (found {version}): older '
            'torch.load runs code found in a checkpoint (weights_only=False '
            'by default)')


def translate_load_error(error: BaseException,
                         name: str) -> Optional[CheckpointLoadError]:
    """The one-line error for a file torch refused or could not read.

    Args:
        error (BaseException): What ``torch.load`` raised.
        name (str): How to name the file (path or URL).

    Returns:
        CheckpointLoadError | None: The error to raise instead, or None for
        errors that are not about the file's content (a missing file says
        so itself).
    """
    lines = [line.strip() for line in str(error).splitlines()
             if line.strip()]
    if (isinstance(error, pickle.UnpicklingError)
            and 'weights only load failed' in str(error).lower()):
        found = next((line for line in lines if 'GLOBAL' in line), lines[0])
        return CheckpointLoadError(
            f'{name}: refused to load: it holds objects other than tensors '
            f'and plain data ({found}); mmbbn never unpickles code from a '
            'checkpoint (weights_only=True)')
    # What torch.load raises for a truncated file, another format, garbage.
    if isinstance(error, (pickle.UnpicklingError, RuntimeError, EOFError,
                          ValueError, KeyError)):
        first = lines[0] if lines else type(error).__name__
        return CheckpointLoadError(
            f'{name}: not a readable checkpoint (truncated or corrupt?): '
            f'{type(error).__name__}: {first}')
    return None


def safe_torch_load(filename, map_location=None, name: Optional[str] = None):
    """``torch.load`` with ``weights_only=True`` and one-line errors.

    For the tools that read a checkpoint themselves (model converters,
    benchmarks); it does not depend on torch's default.

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
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except Exception as e:
        error = translate_load_error(e, name or str(filename))
        if error is None:
            raise
        raise error from None


def load_url(url: str,
             model_dir: Optional[str] = None,
             map_location=None,
             progress: bool = True,
             check_hash: bool = False,
             file_name: Optional[str] = None):
    """MMEngine's ``load_url``, with ``weights_only=True`` (module doc).

    Args:
        url (str): The checkpoint's URL.
        model_dir (str, optional): Download cache; torch hub's by default.
        map_location: As in :func:`torch.load`.
        progress (bool): Show download progress.
        check_hash (bool): Check the hash prefix of the file name.
        file_name (str, optional): Name of the cached file.

    Returns:
        Any: The loaded checkpoint.
    """
    return torch.hub.load_state_dict_from_url(
        url,
        model_dir=model_dir,
        map_location=map_location,
        progress=progress,
        check_hash=check_hash,
        file_name=file_name,
        weights_only=True)


def _one_line_errors(loader: Callable) -> Callable:
    """MMEngine's scheme ``loader``, its file errors reworded to one line."""

    @functools.wraps(loader)
    def load(filename: str, map_location=None):
        try:
            return loader(filename, map_location)
        except Exception as e:
            error = translate_load_error(e, filename)
            if error is None:
                raise
            raise error from None

    return load


def register_one_line_errors() -> None:
    """Wrap MMEngine's local and http(s) schemes (see the module doc).

    Idempotent: the wrappers always wrap MMEngine's module-level loaders,
    never a wrapper.
    """
    CheckpointLoader.register_scheme(
        prefixes='',
        loader=_one_line_errors(mmengine_checkpoint.load_from_local),
        force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'),
        loader=_one_line_errors(mmengine_checkpoint.load_from_http),
        force=True)


def setup_checkpoint_loading() -> None:
    """What ``import mmbbn`` does for checkpoints (see the module doc).

    Checks the torch version, allows :data:`SAFE_GLOBALS` in torch's
    ``weights_only`` unpickler, makes MMEngine's URL loads
    ``weights_only=True`` and wraps the local and http(s) schemes for
    one-line errors. Idempotent.
    """
    check_torch_version()
    torch.serialization.add_safe_globals(SAFE_GLOBALS)
    mmengine_checkpoint.load_url = load_url
    register_one_line_errors()


__all__ = [
    'CheckpointLoadError', 'MIN_TORCH', 'SAFE_GLOBALS',
    'check_torch_version', 'history_buffer_method', 'load_url',
    'register_one_line_errors', 'safe_torch_load', 'setup_checkpoint_loading',
    'translate_load_error'
]
