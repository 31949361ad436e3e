"""Fixtures of the launch tests: an installed mmbbn and a local Slurm."""
import pytest

from ..launch_helpers import install_non_editable
from ..local_slurm import LocalSlurm, SlurmUnavailable


@pytest.fixture(scope='session')
def installed_mmbbn(tmp_path_factory):
    """mmbbn installed non-editably (``pip install .``) into a folder.

    Returns:
        str: The folder; :func:`launch_helpers.installed_env` puts it first
        on ``PYTHONPATH``.
    """
    return install_non_editable(
        str(tmp_path_factory.mktemp('site')),
        str(tmp_path_factory.mktemp('src')))


@pytest.fixture(scope='session')
def local_slurm():
    """A running one-node Slurm cluster (munged, slurmctld, slurmd).

    Installs Debian's slurm-wlm and munge when absent; skips with the reason
    where this machine cannot (not root, no apt-get, no network to Debian).
    Every daemon it started is stopped at the end, also after a failure.
    """
    try:
        LocalSlurm.ensure_installed()
    except SlurmUnavailable as e:
        pytest.skip(f'no local Slurm: {e}')
    cluster = LocalSlurm()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
