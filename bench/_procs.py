"""Peak memory of a whole process tree, sampled from /proc (Linux; no psutil needed).

ru_maxrss from os.wait4 covers only processes the child waited for; batch workers
are children of multiprocessing's fork server, so they are found here by walking
/proc from the measured process down, every `interval` seconds.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _stat(pid: int) -> tuple[int, int, str] | None:
    """(ppid, rss bytes, command name) of a process, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    name = raw[raw.index(b"(") + 1:raw.rindex(b")")].decode("utf-8", "replace")
    fields = raw[raw.rindex(b")") + 2:].split()
    return int(fields[1]), int(fields[21]) * _PAGE, name


def tree(root: int) -> dict[int, tuple[int, str]]:
    """Every live process under `root` (itself included): pid → (rss bytes, name)."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[int, int, str]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st is not None:
                info[int(d)] = st
                children.setdefault(st[0], []).append(int(d))
    out: dict[int, tuple[int, str]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in info:
            out[pid] = (info[pid][1], info[pid][2])
        todo += children.get(pid, [])
    return out


def _role(pid: int, name: str) -> str:
    """What a process is: multiprocessing's helpers are recognised by their command line."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return name
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "forkserver" in cmd:
        return "fork server or worker"
    return name


class TreeSampler:
    """Samples a process tree until stopped: the peak of the sum, and each process's peak."""

    def __init__(self, root: int, interval: float = 0.1):
        self.root = root
        self.interval = interval
        self.peak_total = 0
        self.peaks: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            procs = tree(self.root)
            self.peak_total = max(self.peak_total, sum(r for r, _n in procs.values()))
            for pid, (rss, name) in procs.items():
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss)
                if pid not in self.names:
                    self.names[pid] = _role(pid, name)
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_sampled(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
                interval: float = 0.1) -> tuple[float, int, TreeSampler, str]:
    """(wall seconds, exit status, sampler, stderr tail) of one command, its tree sampled."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with TreeSampler(p.pid, interval) as sampler:
        _out, err = p.communicate()
    wall = time.perf_counter() - t0
    return wall, p.returncode, sampler, err.decode("utf-8", "replace")[-3000:]
