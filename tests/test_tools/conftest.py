"""Fixtures of the launch tests: an installed mmbbn and a Slurm cluster."""
import pytest

from ..launch_helpers import install_non_editable
from ..local_slurm import SlurmClient, SlurmUnavailable


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
def slurm_cluster():
    """The Slurm cluster the environment enables (nothing is installed).

    Skips, saying how to enable the tests, unless ``MMBBN_TEST_SLURM=1``;
    fails when they are enabled but ``sinfo`` finds no usable node (CI
    asked for them: ``.ci/run`` starts a cluster first).
    """
    try:
        cluster = SlurmClient.from_env()
    except SlurmUnavailable as e:
        pytest.skip(str(e))
    problem = cluster.problem()
    if problem:
        pytest.fail(f'MMBBN_TEST_SLURM=1 but {problem}')
    return cluster
