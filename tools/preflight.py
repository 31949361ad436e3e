"""What ``tools/train.py`` and ``tools/test.py`` check before a run.

Each check fails in one line naming the file, the field and the value:

* :func:`check_registered_types`: every ``type`` of the config is a name
  the registries in scope know (a typo would otherwise end in MMEngine's
  generic ``KeyError`` after the environment dump);
* :func:`check_amp`: mixed precision asked where MMEngine cannot run it;
* :class:`CheckpointFitHook`: the checkpoint the Runner loads
  (``load_from``, resume, the test tool's CHECKPOINT) holds exactly the
  model's weights. MMEngine loads such files with ``strict=False``: a
  checkpoint of another model then loads what happens to match, warns
  among the log lines, and a test reports chance accuracy with exit code
  0. ``load_from`` names a whole model; starting from part of another one
  (a backbone, a checkpoint of another label set) is the job of the
  model's ``init_cfg`` (``Pretrained`` with ``prefix``, ``BBNPretrained``),
  which this hook never sees.

Like :mod:`launch`, it is imported from the tools' own folder.
"""
import difflib
import importlib
import re
from typing import Collection, Iterator, List, Mapping, Optional, Tuple

import mmengine.registry
from mmengine.config import Config
from mmengine.device import (is_cuda_available, is_mlu_available,
                             is_musa_available, is_npu_available)
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import Registry
from mmengine.runner import find_latest_checkpoint

AMP_WRAPPERS = ('AmpOptimWrapper', 'mmengine.AmpOptimWrapper')


class ConfigError(ValueError):
    """A config value that cannot work; the message names file and field."""


class CheckpointMismatchError(ValueError):
    """A checkpoint whose weights are not the model's."""


# -- registry names -------------------------------------------------------


def _registries(scope: str) -> List[Registry]:
    """The registries of ``scope`` (if it has any) and MMEngine's roots."""
    roots = [
        r for r in vars(mmengine.registry).values()
        if isinstance(r, Registry)
    ]
    try:
        module = importlib.import_module(f'{scope}.registry')
    except ImportError:
        return roots
    own = [r for r in vars(module).values() if isinstance(r, Registry)]
    return own + [r for r in roots if r not in own]


def _type_fields(node, path: str,
                 scope: str) -> Iterator[Tuple[str, str, str]]:
    """``(field path, name, scope)`` of every string ``type`` in ``node``.

    Field paths use ``--cfg-options`` syntax (``custom_hooks.0.type``);
    ``_scope_`` in a dict switches the scope of its subtree, as in
    MMEngine's ``build_from_cfg``. ``type`` values that are classes or
    functions need no lookup.
    """
    if isinstance(node, Mapping):
        scope = node.get('_scope_') or scope
        if isinstance(node.get('type'), str):
            yield f'{path}type', node['type'], scope
        for key, value in node.items():
            if key != 'type':
                yield from _type_fields(value, f'{path}{key}.', scope)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _type_fields(value, f'{path}{i}.', scope)


def _is_registered(name: str, scope: str,
                   registries: List[Registry]) -> bool:
    """Whether MMEngine's ``Registry.get`` finds ``name`` in any of them.

    A name without a scope prefix is looked up in ``scope`` first (where
    ``_scope_`` asked for another package) and then as written, as
    MMEngine does when that package's registries cannot be imported.
    """
    keys = [name]
    if '.' not in name and scope:
        keys.insert(0, f'{scope}.{name}')
    for registry in registries:
        for key in keys:
            try:
                if registry.get(key) is not None:
                    return True
            except (RuntimeError, TypeError, ValueError):
                continue
    return False


def _closest(name: str, registries: List[Registry]) -> List[str]:
    """The registered names closest to ``name`` (at most three).

    Only those about as close as the best (within 0.1 in ``difflib``'s
    ratio), so that a near miss is not buried among names of other
    registries.
    """
    known = set()
    for registry in registries:
        node: Optional[Registry] = registry
        while node is not None:
            known.update(node.module_dict)
            node = node.parent
    key = name.split('.')[-1]
    close = difflib.get_close_matches(key, sorted(known), n=3)
    if not close:
        return []
    best = difflib.SequenceMatcher(None, key, close[0]).ratio()
    return [
        c for c in close
        if difflib.SequenceMatcher(None, key, c).ratio() >= best - 0.1
    ]


def check_registered_types(cfg: Config, filename: str) -> None:
    """Every string ``type`` of ``cfg`` must be registered in its scope.

    The scope is the config's ``default_scope`` (``mmpretrain``), with
    MMEngine's root registries beneath it; ``custom_imports`` have already
    run (``Config.fromfile`` imports them), so mmbbn's modules are known.

    Args:
        cfg (Config): The merged config.
        filename (str): The config file, for the message.

    Raises:
        ConfigError: The first unregistered name, with its field path and
            the closest registered names.
    """
    default_scope = cfg.get('default_scope') or 'mmengine'
    registries = {default_scope: _registries(default_scope)}
    unknown = []
    for path, name, scope in _type_fields(dict(cfg.items()), '',
                                          default_scope):
        if scope not in registries:
            registries[scope] = _registries(scope)
        if not _is_registered(name, scope, registries[scope]):
            unknown.append((path, name, scope))
    if not unknown:
        return
    path, name, scope = unknown[0]
    close = _closest(name, registries[scope])
    hint = ('closest registered: ' + ', '.join(close)
            if close else 'no registered name is close')
    more = f' (and {len(unknown) - 1} more)' if len(unknown) > 1 else ''
    raise ConfigError(
        f'{filename}: {path}={name!r} is not a registered name in scope '
        f'{scope!r}; {hint}{more}')


# -- mixed precision ------------------------------------------------------


def amp_device_available() -> bool:
    """Whether MMEngine's ``AmpOptimWrapper`` can run here.

    The devices its constructor asserts: CUDA, NPU, MLU or MUSA.
    """
    return (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available())


def check_amp(cfg: Config, filename: str) -> None:
    """Mixed precision (``--amp`` or the config's own) needs a device.

    Args:
        cfg (Config): The merged config.
        filename (str): The config file, for the message.

    Raises:
        ConfigError: ``optim_wrapper.type`` is ``AmpOptimWrapper`` on a
            machine without a GPU (or NPU, MLU, MUSA).
    """
    wrapper = cfg.get('optim_wrapper') or {}
    if wrapper.get('type') in AMP_WRAPPERS and not amp_device_available():
        raise ConfigError(
            f'{filename}: optim_wrapper.type={wrapper["type"]!r} (--amp or '
            'an -amp- config): MMEngine runs mixed precision on a GPU (CUDA, '
            'NPU, MLU or MUSA) and this machine has none; train without '
            '--amp, with a config without -amp-')


# -- checkpoints ----------------------------------------------------------


def _shape(tensor) -> List[int]:
    return list(getattr(tensor, 'shape', ()))


def _without_ddp_prefix(state: Mapping) -> dict:
    """Keys as MMEngine's loader reads them (``module.`` stripped)."""
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def state_dict_mismatch(expected: Mapping,
                        given: Mapping,
                        optional: Collection[str] = ()) -> Optional[str]:
    """How ``given`` differs from the model's ``expected`` state dict.

    As MMEngine's loader, a ``module.`` prefix is stripped and a missing
    BatchNorm ``num_batches_tracked`` is not counted. Keys are compared as
    saved: a model whose load-time hooks rename or resize entries
    (position embeddings at another resolution, say) needs
    ``--allow-partial``.

    Args:
        expected (Mapping): ``model.state_dict()``.
        given (Mapping): The checkpoint's state dict.
        optional (Collection[str]): Keys of ``expected`` the checkpoint may
            lack (:func:`self_set_buffers`).

    Returns:
        str | None: One line with the counts and the first key of each kind
        of difference, or None when the checkpoint fits.
    """
    given = _without_ddp_prefix(given)
    missing = [
        k for k in expected if k not in given and k not in optional
        and not k.endswith('num_batches_tracked')
    ]
    unexpected = [k for k in given if k not in expected]
    reshaped = [
        k for k in expected
        if k in given and _shape(given[k]) != _shape(expected[k])
    ]
    parts = []
    if missing:
        parts.append(f'{len(missing)} missing (first {missing[0]!r})')
    if unexpected:
        parts.append(f'{len(unexpected)} unexpected (first '
                     f'{unexpected[0]!r})')
    if reshaped:
        key = reshaped[0]
        parts.append(f'{len(reshaped)} of another shape (first {key!r}: '
                     f'{_shape(given[key])} in the checkpoint, '
                     f'{_shape(expected[key])} in the model)')
    return ', '.join(parts) or None


def self_set_buffers(model, given: Mapping) -> List[str]:
    """Buffers of ``model`` a checkpoint may lack: state the model sets.

    A buffer whose own module has all its parameters in ``given`` (none
    missing), such as the class counts of a post-hoc head, which
    ``ClassCountsHook`` sets when the head tests a plain model's
    checkpoint. The running statistics of a BatchNorm whose weights are
    missing too are not: they belong to a block the checkpoint lacks.

    Args:
        model (nn.Module): The model (unwrapped).
        given (Mapping): The checkpoint's state dict.

    Returns:
        list[str]: The buffers' state-dict keys.
    """
    given = _without_ddp_prefix(given)

    def owner(key: str) -> str:
        return key.rpartition('.')[0]

    missing_owners = {
        owner(name)
        for name, _ in model.named_parameters() if name not in given
    }
    return [
        name for name, _ in model.named_buffers()
        if owner(name) not in missing_owners
    ]


class CheckpointFitHook(Hook):
    """Refuse a checkpoint that does not hold exactly the model's weights.

    Every parameter must be there with its shape, and nothing else; a
    buffer the model sets itself (:func:`self_set_buffers`) may be absent
    and keeps the model's value (one log line names it), so ``tools/
    test.py`` of a post-hoc config (tau-norm) on the plain model's
    checkpoint works. Runs in ``after_load_checkpoint``, which MMEngine's
    Runner calls for ``load_from`` and resume before it copies the weights
    into the model; last of all hooks, so it sees the checkpoint as the
    model will.

    Args:
        config (str): The config file, for the message.
        checkpoint (str, optional): The file the Runner loads; None for
            ``--resume`` without a path (the latest in the work dir).
    """

    priority = 'LOWEST'

    def __init__(self, config: str, checkpoint: Optional[str]) -> None:
        self.config = config
        self.checkpoint = checkpoint

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Compare the checkpoint with the model; raise if they differ.

        Raises:
            CheckpointMismatchError: One line naming the checkpoint, the
                config and the first missing, unexpected and reshaped key.
        """
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        state = checkpoint.get('state_dict', checkpoint)
        expected = model.state_dict()
        buffers = set(self_set_buffers(model, state))
        problem = state_dict_mismatch(expected, state, optional=buffers)
        name = (self.checkpoint or find_latest_checkpoint(runner.work_dir)
                or 'the checkpoint')
        if problem is None:
            given = _without_ddp_prefix(state)
            absent = [
                k for k in expected if k in buffers and k not in given
                and not k.endswith('num_batches_tracked')
            ]
            if absent:
                runner.logger.info(
                    f'{name} has no {", ".join(absent)}: the model keeps '
                    'its own (buffers it sets at run time)')
            return
        raise CheckpointMismatchError(
            f'{name}: not a checkpoint of the model of '
            f'{self.config}: {problem}; use the config it was '
            'trained with, or start from part of it with the model\'s '
            "init_cfg (dict(type='Pretrained', checkpoint=..., prefix=...) "
            "or dict(type='BBNPretrained', ...)); --allow-partial loads "
            'what fits')


__all__ = [
    'AMP_WRAPPERS', 'CheckpointFitHook', 'CheckpointMismatchError',
    'ConfigError', 'amp_device_available', 'check_amp',
    'check_registered_types', 'self_set_buffers', 'state_dict_mismatch'
]
