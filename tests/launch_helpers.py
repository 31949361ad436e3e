"""What the launch tests share: configs with a rank probe, their evidence.

Distributed runs in these tests load ``tests/helpers/mmbbn_rank_probe.py``
(on ``PYTHONPATH``), whose hook makes every rank write what it trained on.
"""
import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from types import ModuleType
from typing import Dict, List, Optional, Sequence

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
HELPERS = osp.join(REPO, 'tests', 'helpers')
TOOLS = osp.join(REPO, 'tools')
DIGITS_BBN = osp.join(REPO, 'configs', 'bbn',
                      'bbn_resnet32_1xb32-200e_digits-lt.py')
DIGITS_BBN_NAME = osp.basename(DIGITS_BBN)
# Never copied when a test installs the repository.
_NOT_SOURCES = ('.git', '.venv', 'build', 'dist', '*.egg-info', '.mim',
                '__pycache__', 'work_dirs', 'data', '.pytest_cache', '.whl',
                '.gpu', '*.pyc')


def tool_module(name: str) -> ModuleType:
    """A module of ``tools/`` (``launch``, ``preflight``), imported by path.

    The tools import these from their own folder; the tests load the same
    files under a name of their own (``mmbbn_tools_<name>``), once, so that
    ``tools/`` never goes on the test process's ``sys.path`` (its
    ``test.py`` would hide the standard library's ``test`` package).
    """
    module_name = f'mmbbn_tools_{name}'
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            module_name, osp.join(TOOLS, f'{name}.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def probe_config(path: str, probe_dir: str, base: str = DIGITS_BBN,
                 max_epochs: int = 1) -> str:
    """Write a short run of ``base`` whose ranks report to ``probe_dir``.

    Args:
        path (str): The config file to write.
        probe_dir (str): Where each rank writes ``rank{RANK}.json``.
        base (str): The config it derives from (absolute path).
        max_epochs (int): Training epochs; validation runs after the last.

    Returns:
        str: ``path``.
    """
    with open(path, 'w') as f:
        f.write(f"""_base_ = [{base!r}]
custom_imports = dict(imports=['mmbbn', 'mmbbn_rank_probe'],
                      allow_failed_imports=False)
custom_hooks = [
    dict(type='CumulativeAlphaHook', schedule='parabolic_decay'),
    dict(type='RankProbeHook', out_dir={probe_dir!r}),
]
train_cfg = dict(max_epochs={max_epochs}, val_interval={max_epochs})
default_hooks = dict(logger=dict(interval=1))
""")
    return path


def read_probes(probe_dir: str, world_size: int) -> List[dict]:
    """The rank reports of a run, by rank."""
    reports = []
    for rank in range(world_size):
        path = osp.join(probe_dir, f'rank{rank}.json')
        assert osp.exists(path), f'rank {rank} wrote no report'
        with open(path) as f:
            reports.append(json.load(f))
    assert not osp.exists(osp.join(probe_dir, f'rank{world_size}.json'))
    return reports


def check_two_ranks_trained_together(reports: Sequence[dict]) -> None:
    """The properties a 2-process BBN run must have, from its reports.

    Both ranks ran in one world of two, wrapped in DDP, for the same steps
    with the same alpha; within an epoch their uniform halves split the data
    without overlap; their re-balanced draws differ; they end with the same
    weights.
    """
    r0, r1 = reports
    assert (r0['rank'], r1['rank']) == (0, 1)
    assert r0['world_size'] == r1['world_size'] == 2
    assert r0['wrapped'] and r1['wrapped']
    assert len(r0['steps']) == len(r1['steps']) > 0
    for s0, s1 in zip(r0['steps'], r1['steps']):
        assert (s0['epoch'], s0['iter']) == (s1['epoch'], s1['iter'])
        assert s0['alpha'] == s1['alpha'], s0['iter']
    for epoch in sorted({s['epoch'] for s in r0['steps']}):
        uniform = []
        rebalanced = []
        for report in reports:
            steps = [s for s in report['steps'] if s['epoch'] == epoch]
            uniform.append([i for s in steps for i in s['conventional']])
            rebalanced.append([i for s in steps for i in s['rebalancing']])
        for seen in uniform:
            assert len(seen) == len(set(seen)), 'a rank repeated an item'
        assert not set(uniform[0]) & set(uniform[1]), 'ranks overlap'
        assert len(rebalanced[0]) == len(uniform[0])
        assert rebalanced[0] != rebalanced[1], 'same draws on both ranks'
    assert r0['checksum'] == r1['checksum'], 'weights differ at the end'


def run(cmd: Sequence[str],
        env: Optional[Dict[str, str]] = None,
        timeout: int = 300,
        cwd: Optional[str] = None):
    """Run a command; return (exit code, stdout + stderr)."""
    out = subprocess.run(list(cmd), capture_output=True, text=True,
                         env=env, timeout=timeout, cwd=cwd)
    return out.returncode, out.stdout + out.stderr


ABORT_SIGNS = ('terminate called', 'Aborted', 'SIGABRT', 'core dumped',
               'Traceback', 'ChildFailedError', 'Signal 6')


def assert_clean_exit(code: int, log: str) -> None:
    """Exit code 0 and no sign of an abort or a crash in the output."""
    assert code == 0, log[-4000:]
    for sign in ABORT_SIGNS:
        assert sign not in log, f'{sign!r} in the output:\n{log[-4000:]}'


def install_non_editable(target: str, scratch: str) -> str:
    """``pip install --no-deps`` a copy of the repository into ``target``.

    A regular (non-editable) install, as the README's command makes: the
    wheel carries configs, tools and the model index in ``mmbbn/.mim``. The
    copy keeps the build's by-products out of the checkout.

    Args:
        target (str): Folder to install into (put it on ``PYTHONPATH``).
        scratch (str): Folder for the copy of the sources.

    Returns:
        str: ``target``.
    """
    src = osp.join(scratch, 'src')
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(*_NOT_SOURCES))
    code, log = run([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--no-build-isolation', '--target', target, src
    ], timeout=600)
    assert code == 0, log[-3000:]
    return target


def installed_env(target: str, **extra: str) -> Dict[str, str]:
    """Environment whose ``mmbbn`` is the one installed in ``target``.

    ``target`` comes first on ``PYTHONPATH`` (before any other mmbbn, an
    editable one included), then the probe helpers.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('SLURM_')}
    env['PYTHONPATH'] = os.pathsep.join([target, HELPERS])
    env.update(extra)
    return env
