"""Checkpoints under torch >= 2.6: nothing runs code, one-line errors.

Every load is ``weights_only=True`` (torch's default from 2.6, which
MMEngine's loaders rely on). :func:`setup_checkpoint_loading`, run by
``import mmbbn``, adds what that takes with MMEngine 0.10.7:

* :data:`SAFE_GLOBALS`: the plain data MMEngine writes into its
  checkpoints (the message hub's ``HistoryBuffer``, NumPy data); without
  them resuming fails (upstream's answer, ``weights_only=False`` in
  MMEngine PR #1670, lets any file run code).
* :data:`load_url` replaces ``mmengine.runner.checkpoint.load_url``, which
  loads every URL through ``torch.hub`` with ``weights_only=False``
  (``tests/test_utils/test_checkpoint.py::test_url``).
* MMEngine's local and http(s) loaders are wrapped to reword a refused or
  unreadable file in one line naming it (the ``*_in_one_line`` tests and
  ``assert_refused`` of that file).
"""
import functools
import pickle
from typing import Callable

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version


def history_buffer_method(owner, name: str):
    """The only ``getattr`` a checkpoint may call (``HistoryBuffer``'s
    pickled statistics methods)."""
    if owner is not HistoryBuffer or name not in ('min', 'max', 'current',
                                                  'mean'):
        raise pickle.UnpicklingError(
            f'getattr({getattr(owner, "__name__", owner)!r}, {name!r}) is '
            'not allowed in a checkpoint')
    return getattr(HistoryBuffer, name)


_NUMPY_CORE = getattr(np, '_core', None) or np.core
# The message hub's HistoryBuffer and the NumPy data in it: never code.
SAFE_GLOBALS = [
    HistoryBuffer, (history_buffer_method, 'builtins.getattr'),
    _NUMPY_CORE.multiarray._reconstruct, _NUMPY_CORE.multiarray.scalar,
    np.ndarray, np.dtype
] + sorted({type(np.dtype(c))
            for c in '?bBhHiIlLqQefdgFDG'}, key=lambda t: t.__name__)

# MMEngine's ``load_url`` with ``weights_only=True`` (see the module doc).
load_url = functools.partial(
    torch.hub.load_state_dict_from_url, weights_only=True)


class CheckpointLoadError(RuntimeError):
    """A checkpoint could not be loaded safely; the message says why."""


def check_torch_version(version: str = torch.__version__) -> None:
    """Refuse a torch whose ``torch.load`` unpickles code by default."""
    if digit_version(version) < digit_version('2.6.0'):
        raise ImportError(
            f'mmbbn needs torch>=2.6.0 (found {version}): older torch.load '
            'runs code found in a checkpoint (weights_only=False by '
            'default)')


def _one_line_errors(loader: Callable) -> Callable:
    """``loader(filename, map_location, ...)``; a file torch refused or
    could not read fails in one line naming it."""

    @functools.wraps(loader)
    def load(filename, map_location=None, **kwargs):
        try:
            return loader(filename, map_location, **kwargs)
        except Exception as e:
            lines = [line.strip() for line in str(e).splitlines()
                     if line.strip()]
            if (isinstance(e, pickle.UnpicklingError)
                    and 'weights only load failed' in str(e).lower()):
                found = next((line for line in lines if 'GLOBAL' in line),
                             lines[0])
                raise CheckpointLoadError(
                    f'{filename}: refused to load: it holds objects other '
                    f'than tensors and plain data ({found}); mmbbn never '
                    'unpickles code from a checkpoint (weights_only=True)'
                ) from None
            # What torch.load raises for a truncated file, another format,
            # garbage (a missing file says so itself).
            if not isinstance(e, (pickle.UnpicklingError, RuntimeError,
                                  EOFError, ValueError, KeyError)):
                raise
            raise CheckpointLoadError(
                f'{filename}: not a readable checkpoint (truncated or '
                f'corrupt?): {type(e).__name__}: '
                f'{lines[0] if lines else type(e).__name__}') from None

    return load


def safe_torch_load(filename, map_location=None):
    """``torch.load(weights_only=True)`` with one-line errors, for tools."""
    return _one_line_errors(torch.load)(
        filename, map_location, weights_only=True)


def setup_checkpoint_loading() -> None:
    """What ``import mmbbn`` does for checkpoints (module doc); idempotent:
    it wraps MMEngine's module-level loaders, never a wrapper."""
    check_torch_version()
    torch.serialization.add_safe_globals(SAFE_GLOBALS)
    mmengine_checkpoint.load_url = load_url
    for prefixes, loader in (('', mmengine_checkpoint.load_from_local),
                             (('http://', 'https://'),
                              mmengine_checkpoint.load_from_http)):
        CheckpointLoader.register_scheme(
            prefixes=prefixes, loader=_one_line_errors(loader), force=True)
