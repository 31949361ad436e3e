"""A real one-node Slurm cluster on this machine, for launch tests.

Debian's ``slurm-wlm`` and ``munge`` are installed with apt-get when absent;
then a private ``munged`` (its own key and socket), ``slurmctld`` and
``slurmd`` start from a throw-away folder, on free loopback ports, so the
cluster touches neither ``/etc/slurm`` nor ``/etc/munge`` nor anything
running on the machine. The node offers two stand-in GPUs as a generic
resource (``/dev/null`` and ``/dev/zero``), because ``mim train --launcher
slurm`` always asks for ``--gres=gpu:N``. :meth:`LocalSlurm.stop` ends every
daemon it started, by the pids in their pid files.
"""
import os
import os.path as osp
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Dict, List, Optional

DAEMONS = ('munged', 'slurmctld', 'slurmd')
CLIENTS = ('srun', 'sbatch', 'sinfo', 'scontrol', 'scancel')
PARTITION = 'debug'
STAND_IN_GPUS = ('/dev/null', '/dev/zero')


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
    """This machine cannot host the cluster; the message says why."""


class LocalSlurm:
    """munged + slurmctld + slurmd for the duration of a test session.

    Args:
        cpus (int, optional): CPUs of the node; all of this machine's by
            default.
    """

    def __init__(self, cpus: Optional[int] = None) -> None:
        self.cpus = cpus or os.cpu_count() or 1
        self.host = socket.gethostname()
        # Outside pytest's 0700 tmp folders: the daemons only need root,
        # but keep the tree readable for the job steps they start.
        self.root = tempfile.mkdtemp(prefix='mmbbn-slurm-')
        os.chmod(self.root, 0o755)
        self.conf = osp.join(self.root, 'slurm.conf')
        self.munge_socket = osp.join(self.root, 'munge', 'munge.socket')
        self.pid_files: List[str] = []

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

    @property
    def env(self) -> Dict[str, str]:
        """Environment for Slurm clients of this cluster."""
        return clean_env(SLURM_CONF=self.conf)

    def _start_munged(self) -> None:
        folder = osp.dirname(self.munge_socket)
        os.makedirs(folder, mode=0o755)
        key = osp.join(folder, 'munge.key')
        with open(key, 'wb') as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        pid_file = osp.join(folder, 'munged.pid')
        self.pid_files.append(pid_file)
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
            self.pid_files.append(osp.join(self.root, f'{daemon}.pid'))
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
            subprocess.run(['scancel', '--partition', PARTITION],
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
