"""What the timing benchmarks share: timing, interleaving, machine, output.

``step_benchmark.py``, ``iteration_benchmark.py``, ``scaling_benchmark.py``
and ``epoch_benchmark.py`` time with :func:`time_calls` (device
synchronised around each call), run their variants in turns with
:func:`interleaved` (so drifts in machine speed hit all alike), reduce
timings with :func:`summarise`, describe the machine with
:func:`machine` (including how busy it was: benchmarks on a shared machine
say so), run a case in a fresh process with :func:`run_child`, and end
with :func:`finish`: one JSON file and one summary line.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence


def synchronize(device: str) -> None:
    """Wait for the device's queued work (a no-op on the CPU)."""
    if device.startswith('cuda'):
        import torch
        torch.cuda.synchronize()


def time_calls(call: Callable[[], object], n: int,
               device: str = 'cpu') -> List[float]:
    """Wall seconds of ``n`` consecutive calls, each synchronised.

    Args:
        call (Callable): What to time.
        n (int): How many calls.
        device (str): Device whose queue each timing waits for.

    Returns:
        list[float]: Seconds per call.
    """
    times = []
    for _ in range(n):
        synchronize(device)
        start = time.perf_counter()
        call()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return times


def interleaved(calls: Dict[str, Callable[[], object]],
                rounds: int,
                per_round: int = 1,
                device: str = 'cpu',
                warmup: int = 0) -> Dict[str, List[List[float]]]:
    """Time several variants in turns: round by round, each ``per_round``
    calls.

    Args:
        calls (dict[str, Callable]): The variants.
        rounds (int): Rounds (repeats).
        per_round (int): Consecutive calls of a variant in a round.
        device (str): Device to synchronise.
        warmup (int): Untimed calls of each variant first.

    Returns:
        dict[str, list[list[float]]]: Per variant, per round, the seconds
        of each call.
    """
    for call in calls.values():
        time_calls(call, warmup, device)
    samples: Dict[str, List[List[float]]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            samples[name].append(time_calls(call, per_round, device))
    return samples


def summarise(runs: Sequence[Sequence[float]]) -> dict:
    """Median over all calls, and each round's median and their spread.

    Args:
        runs (Sequence[Sequence[float]]): Seconds per call, per round.

    Returns:
        dict: ``median_s``, ``repeat_medians_s``, ``spread_s``.
    """
    flat = [t for run in runs for t in run]
    per_round = [statistics.median(run) for run in runs]
    return dict(median_s=statistics.median(flat),
                repeat_medians_s=per_round,
                spread_s=max(per_round) - min(per_round))


def _cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(device: str = 'cpu') -> dict:
    """The machine a benchmark ran on, and how busy it was.

    Args:
        device (str): The benchmark's device.

    Returns:
        dict: CPU model and cores, torch version and threads, the CUDA
        device's name, and the 1-minute load average at the start (a
        load near or above the core count means a shared machine).
    """
    import torch
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    return dict(
        cpu=_cpu_model(),
        machine=platform.machine(),
        cores=os.cpu_count(),
        threads=torch.get_num_threads(),
        torch=torch.__version__,
        device=device,
        cuda_device=(torch.cuda.get_device_name(0)
                     if device.startswith('cuda') else None),
        load_1min=load)


def run_child(script: str, args: Sequence[str],
              timeout: Optional[float] = None,
              env: Optional[dict] = None) -> dict:
    """Run ``script args`` in a fresh Python; its last ``{...}`` line.

    Args:
        script (str): The benchmark script (re-invoked on one case).
        args (Sequence[str]): Its arguments.
        timeout (float, optional): Seconds before the child is stopped.
        env (dict, optional): Extra environment variables.

    Returns:
        dict: The child's JSON result, or ``error`` with its last lines.
    """
    try:
        proc = subprocess.run(
            [sys.executable, '-W', 'ignore', script, *args],
            capture_output=True, text=True, timeout=timeout,
            env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        return dict(error=f'timed out after {timeout} s')
    lines = [x for x in proc.stdout.splitlines() if x.startswith('{')]
    if proc.returncode == 0 and lines:
        return json.loads(lines[-1])
    return dict(error=proc.stderr.strip().splitlines()[-3:])


def synthetic_cifar(root: str, train_per_class: int = 5000,
                    test_per_class: int = 1000, seed: int = 0) -> str:
    """CIFAR-10 pickles of random images in the release's file layout.

    Args:
        root (str): Folder to write ``cifar-10-batches-py`` into.
        train_per_class (int): Training images per class (5 batches).
        test_per_class (int): Test images per class.
        seed (int): Seed of pixels and label order.

    Returns:
        str: ``root``.
    """
    import pickle

    import numpy as np
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, 'cifar-10-batches-py')
    os.makedirs(folder, exist_ok=True)
    train = 10 * train_per_class
    for name, n in [(f'data_batch_{i}', train // 5) for i in range(1, 6)] + [
            ('test_batch', 10 * test_per_class)]:
        labels = np.tile(np.arange(10), -(-n // 10))[:n]
        rng.shuffle(labels)
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        with open(os.path.join(folder, name), 'wb') as f:
            pickle.dump({'data': data, 'labels': labels.tolist()}, f)
    with open(os.path.join(folder, 'batches.meta'), 'wb') as f:
        pickle.dump({'label_names': [str(i) for i in range(10)]}, f)
    return root


def finish(name: str, result: dict, parts: Sequence[str], out: str) -> str:
    """Write ``result`` as JSON and print the benchmark's one line.

    Args:
        name (str): The line's prefix (``'step B=128 cpu'``).
        result (dict): Everything measured.
        parts (Sequence[str]): The line's fields.
        out (str): The JSON file.

    Returns:
        str: The line.
    """
    with open(out, 'w') as f:
        json.dump(result, f, indent=1)
    line = f'{name}: ' + ' | '.join(parts) + f' -> {out}'
    print(line, flush=True)
    return line


__all__ = [
    'finish', 'interleaved', 'machine', 'run_child', 'summarise',
    'synchronize', 'synthetic_cifar', 'time_calls'
]
