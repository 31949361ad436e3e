"""Checkpoints under torch >= 2.6: nothing runs code, one-line errors.

No checkpoint is trusted, and none needs to be: every load is
``weights_only=True`` (a run's own checkpoints included), the default of
``torch.load`` from torch 2.6, which MMEngine's local, ``pavi://`` and
``s3://`` loads rely on. :func:`setup_checkpoint_loading`, run by
``import mmbbn``, adds what that takes with MMEngine 0.10.7:

* :data:`SAFE_GLOBALS`: the plain-data types MMEngine writes into its own
  checkpoints (the message hub's ``HistoryBuffer``, its NumPy data).
  Without them resuming fails; upstream answers with
  ``weights_only=False`` (MMEngine PR #1670), which lets any file run code.
* :data:`load_url` replaces ``mmengine.runner.checkpoint.load_url``,
  through which MMEngine loads every URL (``open-mmlab://`` and other
  names resolve to URLs): ``torch.hub`` defaults to
  ``weights_only=False``, so a served payload would run
  (``tests/test_utils/test_checkpoint.py::test_url``).
* MMEngine's local and http(s) loaders, which every entry point a user
  meets goes through, are wrapped to reword a refused or unreadable file
  in one line naming it (torch's message has six lines and no file name;
  the ``*_in_one_line`` tests and ``assert_refused`` of that file).
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

# The first torch whose ``torch.load`` defaults to ``weights_only=True``.
MIN_TORCH = '2.6.0'


def history_buffer_method(owner, name: str):
    """The only ``getattr`` a checkpoint may call.

    A pickled ``HistoryBuffer`` names its statistics methods as
    ``getattr(HistoryBuffer, 'min')``; a general ``getattr`` would let a
    file reach any callable.
    """
    if owner is not HistoryBuffer or name not in ('min', 'max', 'current',
                                                  'mean'):
        raise pickle.UnpicklingError(
            f'getattr({getattr(owner, "__name__", owner)!r}, {name!r}) is '
            'not allowed in a checkpoint')
    return getattr(HistoryBuffer, name)


_NUMPY_CORE = getattr(np, '_core', None) or np.core
# The message hub's HistoryBuffer and the NumPy arrays, dtypes and scalars
# in it: data, never code.
SAFE_GLOBALS = [
    HistoryBuffer,
    (history_buffer_method, 'builtins.getattr'),
    _NUMPY_CORE.multiarray._reconstruct,
    _NUMPY_CORE.multiarray.scalar,
    np.ndarray,
    np.dtype,
] + sorted({type(np.dtype(c))
            for c in '?bBhHiIlLqQefdgFDG'}, key=lambda t: t.__name__)

# MMEngine's ``load_url`` with ``weights_only=True`` (see the module doc).
load_url = functools.partial(
    torch.hub.load_state_dict_from_url, weights_only=True)


class CheckpointLoadError(RuntimeError):
    """A checkpoint could not be loaded safely; the message says why."""


def check_torch_version(version: str = torch.__version__) -> None:
    """Refuse a torch whose ``torch.load`` unpickles code by default."""
    if digit_version(version) < digit_version(MIN_TORCH):
        raise ImportError(
            f'mmbbn needs torch>={MIN_TORCH} (found {version}): older '
            'torch.load runs code found in a checkpoint (weights_only=False '
            'by default)')


def translate_load_error(error: BaseException,
                         name: str) -> Optional[CheckpointLoadError]:
    """One line naming ``name`` for a file torch refused or could not read.

    None for other errors (a missing file says so itself).
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


def _one_line_errors(loader: Callable) -> Callable:
    """``loader(filename, map_location, ...)``, file errors in one line."""

    @functools.wraps(loader)
    def load(filename, map_location=None, **kwargs):
        try:
            return loader(filename, map_location, **kwargs)
        except Exception as e:
            error = translate_load_error(e, str(filename))
            if error is None:
                raise
            raise error from None

    return load


def safe_torch_load(filename, map_location=None):
    """``torch.load(weights_only=True)`` with one-line errors.

    For the tools that read a checkpoint themselves; it does not depend on
    torch's default.
    """
    return _one_line_errors(torch.load)(
        filename, map_location, weights_only=True)


def setup_checkpoint_loading() -> None:
    """What ``import mmbbn`` does for checkpoints (module doc).

    Idempotent: it wraps MMEngine's module-level loaders, never a wrapper.
    """
    check_torch_version()
    torch.serialization.add_safe_globals(SAFE_GLOBALS)
    mmengine_checkpoint.load_url = load_url
    for prefixes, loader in (('', mmengine_checkpoint.load_from_local),
                             (('http://', 'https://'),
                              mmengine_checkpoint.load_from_http)):
        CheckpointLoader.register_scheme(
            prefixes=prefixes, loader=_one_line_errors(loader), force=True)


__all__ = [
    'CheckpointLoadError', 'MIN_TORCH', 'SAFE_GLOBALS',
    'check_torch_version', 'history_buffer_method', 'load_url',
    'safe_torch_load', 'setup_checkpoint_loading', 'translate_load_error'
]
