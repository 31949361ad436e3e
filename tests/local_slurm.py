"""The Slurm cluster of the Slurm tests, and CI's one-node cluster.

The tests never install or start anything: they run only with
``MMBBN_TEST_SLURM=1`` and a ``sinfo`` that reaches a cluster
(``SLURM_CONF`` as for any Slurm client; partition ``debug`` or
``MMBBN_TEST_SLURM_PARTITION``, whose node offers two CPUs and two GPUs of
generic resource), and skip otherwise, saying how to enable them.

CI's machine gets that cluster from ``.ci/run``, which runs this file as
root before the README's test command::

    SLURM_ROOT=$(python3 tests/local_slurm.py start)   # prints its folder
    export MMBBN_TEST_SLURM=1 SLURM_CONF=$SLURM_ROOT/slurm.conf
    ...
    python3 tests/local_slurm.py stop "$SLURM_ROOT"

``start`` installs Debian's ``slurm-wlm`` and ``munge`` with apt-get when
absent, then starts a private ``munged`` (its own key and socket),
``slurmctld`` and ``slurmd`` from a throw-away folder, on free loopback
ports, so the cluster touches neither ``/etc/slurm`` nor ``/etc/munge`` nor
anything running on the machine. The node offers two stand-in GPUs as a
generic resource (``/dev/null`` and ``/dev/zero``), because ``mim train
--launcher slurm`` always asks for ``--gres=gpu:N``. ``stop`` ends every
daemon it started, by the pids in their pid files. Standard library only:
it runs before the project's environment exists.
"""
import argparse
import os
import os.path as osp
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

DAEMONS = ('munged', 'slurmctld', 'slurmd')
CLIENTS = ('srun', 'sbatch', 'sinfo', 'scontrol', 'scancel')
PARTITION = 'debug'
STAND_IN_GPUS = ('/dev/null', '/dev/zero')
ENABLE_VAR = 'MMBBN_TEST_SLURM'
PARTITION_VAR = 'MMBBN_TEST_SLURM_PARTITION'


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return True


def clean_env(**extra: str) -> Dict[str, str]:
    """This process's environment without any Slurm job's variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('SLURM_')}
    env.update(extra)
    return env


class SlurmUnavailable(Exception):
    """No cluster for the tests, or none can be started; says why."""


class SlurmClient:
    """What the tests need of a cluster: its clients' environment, jobs.

    Args:
        conf (str, optional): Its ``slurm.conf`` (``SLURM_CONF``); None for
            the clients' default.
        partition (str): The partition the tests submit to.
    """

    def __init__(self, conf: Optional[str] = None,
                 partition: str = PARTITION) -> None:
        self.conf = conf
        self.partition = partition

    @classmethod
    def from_env(cls) -> 'SlurmClient':
        """The cluster the environment enables for the tests.

        Raises:
            SlurmUnavailable: ``MMBBN_TEST_SLURM`` is not ``1``.
        """
        if os.environ.get(ENABLE_VAR) != '1':
            raise SlurmUnavailable(
                f'Slurm tests are off: set {ENABLE_VAR}=1 where sinfo '
                f'reaches a cluster (SLURM_CONF; partition {PARTITION} or '
                f'{PARTITION_VAR}), or run .ci/run, which starts a one-node '
                'cluster as root first')
        return cls(os.environ.get('SLURM_CONF'),
                   os.environ.get(PARTITION_VAR, PARTITION))

    @property
    def conf_env(self) -> Dict[str, str]:
        """``SLURM_CONF`` for this cluster, where one is named."""
        return {'SLURM_CONF': self.conf} if self.conf else {}

    @property
    def env(self) -> Dict[str, str]:
        """Environment for Slurm clients of this cluster."""
        return clean_env(**self.conf_env)

    def problem(self) -> Optional[str]:
        """Why the tests cannot use the cluster, or None when they can."""
        if shutil.which('sinfo') is None:
            return 'no sinfo on PATH'
        try:
            out = subprocess.run(
                ['sinfo', '-h', '-p', self.partition, '-o', '%T'],
                capture_output=True, text=True, env=self.env, timeout=30)
        except subprocess.TimeoutExpired:
            return 'sinfo did not answer within 30 s'
        states = out.stdout.split()
        if out.returncode != 0 or not states:
            last = (out.stderr.strip().splitlines() or ['no node'])[-1]
            return f'sinfo -p {self.partition} found no node: {last}'
        if not {'idle', 'mixed'} & set(states):
            return f'partition {self.partition} has no free node: {states}'
        return None

    def wait_for_job(self, job_id: str, timeout: float = 300) -> dict:
        """Wait for a batch job to end (faster than ``sbatch --wait``).

        Args:
            job_id (str): The job.
            timeout (float): Seconds to wait.

        Returns:
            dict: ``scontrol show job`` fields, e.g. ``JobState``,
            ``ExitCode``.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(['scontrol', '-o', 'show', 'job', job_id],
                                 capture_output=True, text=True,
                                 env=self.env, timeout=30)
            fields = dict(
                item.split('=', 1) for item in out.stdout.split()
                if '=' in item)
            if fields.get('JobState') not in (None, 'PENDING', 'RUNNING',
                                              'CONFIGURING', 'COMPLETING'):
                return fields
            time.sleep(0.3)
        raise TimeoutError(f'Slurm job {job_id} still running after '
                           f'{timeout} s')


class LocalSlurm(SlurmClient):
    """munged + slurmctld + slurmd on this machine (CI's cluster; as root).

    Args:
        root (str, optional): Folder of a cluster started before (to stop
            it); a new throw-away folder by default.
        cpus (int, optional): CPUs of the node; all of this machine's by
            default.
    """

    def __init__(self, root: Optional[str] = None,
                 cpus: Optional[int] = None) -> None:
        self.cpus = cpus or os.cpu_count() or 1
        self.host = socket.gethostname()
        if root is None:
            # Not a 0700 folder: the daemons only need root, but keep the
            # tree readable for the job steps they start.
            root = tempfile.mkdtemp(prefix='mmbbn-slurm-')
            os.chmod(root, 0o755)
        self.root = root
        super().__init__(osp.join(self.root, 'slurm.conf'), PARTITION)
        self.munge_socket = osp.join(self.root, 'munge', 'munge.socket')

    @property
    def pid_files(self) -> List[str]:
        """The pid files of the daemons, in the order they start."""
        return [
            osp.join(osp.dirname(self.munge_socket), 'munged.pid'),
            osp.join(self.root, 'slurmctld.pid'),
            osp.join(self.root, 'slurmd.pid')
        ]

    # -- installation -----------------------------------------------------

    @staticmethod
    def missing_binaries() -> List[str]:
        """Daemons and clients not on PATH."""
        return [b for b in DAEMONS + CLIENTS if shutil.which(b) is None]

    @classmethod
    def ensure_installed(cls, timeout: int = 600) -> None:
        """Install ``slurm-wlm`` and ``munge`` from Debian if needed.

        Raises:
            SlurmUnavailable: Not root, no apt-get, or the packages cannot
                be installed (no network to Debian's registry, say).
        """
        if not hasattr(os, 'geteuid') or os.geteuid() != 0:
            raise SlurmUnavailable('starting slurmctld and slurmd (and '
                                   'installing them) needs root')
        if not cls.missing_binaries():
            return
        if shutil.which('apt-get') is None:
            raise SlurmUnavailable('no apt-get to install slurm-wlm and '
                                   'munge (not a Debian-like system)')
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        install = ['apt-get', 'install', '-y', '-q', 'slurm-wlm', 'munge']
        out = subprocess.run(install, capture_output=True, text=True,
                             env=env, timeout=timeout)
        if out.returncode != 0:
            # Package lists may be absent or stale in a fresh container.
            subprocess.run(['apt-get', 'update', '-q'], capture_output=True,
                           env=env, timeout=timeout)
            out = subprocess.run(install, capture_output=True, text=True,
                                 env=env, timeout=timeout)
        if out.returncode != 0 or cls.missing_binaries():
            last = (out.stderr or out.stdout).strip().splitlines()[-1:]
            raise SlurmUnavailable(
                'apt-get install slurm-wlm munge failed (no network to '
                f'Debian\'s registry?): {last[0] if last else out.returncode}')

    # -- configuration ----------------------------------------------------

    def _write_config(self) -> None:
        state = osp.join(self.root, 'state')
        spool = osp.join(self.root, 'spool')
        logs = osp.join(self.root, 'log')
        for d in (state, spool, logs):
            os.makedirs(d, exist_ok=True)
        lines = [
            'ClusterName=mmbbntest',
            f'SlurmctldHost={self.host}(127.0.0.1)',
            f'SlurmctldPort={free_port()}',
            f'SlurmdPort={free_port()}',
            'AuthType=auth/munge',
            'CredType=cred/munge',
            f'AuthInfo=socket={self.munge_socket}',
            'SlurmUser=root',
            'SlurmdUser=root',
            f'StateSaveLocation={state}',
            f'SlurmdSpoolDir={spool}',
            f'SlurmctldPidFile={osp.join(self.root, "slurmctld.pid")}',
            f'SlurmdPidFile={osp.join(self.root, "slurmd.pid")}',
            f'SlurmctldLogFile={osp.join(logs, "slurmctld.log")}',
            f'SlurmdLogFile={osp.join(logs, "slurmd.log")}',
            'ProctrackType=proctrack/linuxproc',
            'TaskPlugin=task/none',
            'SelectType=select/cons_tres',
            'SelectTypeParameters=CR_CPU',
            'MpiDefault=none',
            'ReturnToService=2',
            'SchedulerType=sched/builtin',
            'JobCompType=jobcomp/none',
            'AccountingStorageType=accounting_storage/none',
            'GresTypes=gpu',
            f'NodeName={self.host} NodeAddr=127.0.0.1 CPUs={self.cpus} '
            f'Gres=gpu:{len(STAND_IN_GPUS)} State=UNKNOWN',
            f'PartitionName={PARTITION} Nodes={self.host} Default=YES '
            'MaxTime=INFINITE State=UP',
        ]
        with open(self.conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        # Stand-in GPUs: one File= line each (Count= alone registers none).
        with open(osp.join(self.root, 'gres.conf'), 'w') as f:
            f.write('AutoDetect=off\n')
            for device in STAND_IN_GPUS:
                f.write(f'Name=gpu File={device}\n')

    # -- daemons ----------------------------------------------------------

    def _start_munged(self) -> None:
        folder = osp.dirname(self.munge_socket)
        os.makedirs(folder, mode=0o755)
        key = osp.join(folder, 'munge.key')
        with open(key, 'wb') as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        pid_file = self.pid_files[0]
        subprocess.run([
            'munged', f'--socket={self.munge_socket}', f'--key-file={key}',
            f'--pid-file={pid_file}', f'--seed-file={folder}/munged.seed',
            f'--log-file={folder}/munged.log'
        ], check=True, capture_output=True, timeout=60)

    def start(self, timeout: float = 90) -> None:
        """Start the daemons and wait until the node is idle.

        Raises:
            RuntimeError: The node did not come up; the message has the
                daemons' last log lines.
        """
        self._write_config()
        self._start_munged()
        for daemon in ('slurmctld', 'slurmd'):
            subprocess.run([daemon, '-f', self.conf], check=True,
                           env=self.env, capture_output=True, timeout=60)
        deadline = time.monotonic() + timeout
        state = ''
        while time.monotonic() < deadline:
            out = subprocess.run(['sinfo', '-h', '-o', '%T'],
                                 capture_output=True, text=True,
                                 env=self.env, timeout=30)
            state = out.stdout.strip()
            if state == 'idle':
                return
            time.sleep(0.5)
        raise RuntimeError(f'local Slurm node not idle after {timeout} s '
                           f'(state {state!r}): {self.log_tail()}')

    def log_tail(self, lines: int = 5) -> str:
        """The last lines of the daemons' logs, for failure messages."""
        tails = []
        for name in ('slurmctld.log', 'slurmd.log'):
            path = osp.join(self.root, 'log', name)
            if osp.exists(path):
                with open(path, errors='replace') as f:
                    tails.append(f'{name}: ' +
                                 ' | '.join(f.read().splitlines()[-lines:]))
        return '; '.join(tails)

    def running_pids(self) -> List[int]:
        """Pids of the daemons started here that are still alive."""
        pids = []
        for pid_file in self.pid_files:
            try:
                with open(pid_file) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                continue
            if _alive(pid):
                pids.append(pid)
        return pids

    def stop(self, timeout: float = 20) -> None:
        """Cancel leftover jobs and stop every daemon started here."""
        if osp.exists(self.conf) and self.running_pids():
            subprocess.run(['scancel', '--partition', self.partition],
                           capture_output=True, env=self.env, timeout=30)
        # slurmd first, munged last: the others talk to it while stopping.
        for pid in reversed(self.running_pids()):
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        while self.running_pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in self.running_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def main(argv: Optional[List[str]] = None) -> None:
    """``start`` (prints the cluster's folder) or ``stop FOLDER``."""
    parser = argparse.ArgumentParser(
        description='A one-node Slurm cluster for the Slurm tests (root)')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('start', help='install if needed, start, print folder')
    stop = sub.add_parser('stop', help='stop the daemons of a cluster')
    stop.add_argument('root', help='the folder start printed')
    args = parser.parse_args(argv)
    if args.command == 'stop':
        LocalSlurm(args.root).stop()
        return
    try:
        LocalSlurm.ensure_installed()
    except SlurmUnavailable as e:
        sys.exit(f'local_slurm.py: {e}')
    cluster = LocalSlurm()
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    print(cluster.root)


if __name__ == '__main__':
    main()
