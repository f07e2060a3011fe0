"""Shared helpers for the benchmark scripts: timed child processes and machine facts.

Every figure is a whole process measured from outside: wall time with
time.perf_counter around the child, peak resident memory from os.wait4's
rusage (the child and the descendants it waited for).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "yichang-2021" / "briefing.yaml"
DEMO = ROOT / "seeds" / "batch-demo.yaml"


def briefgen_cmd() -> list[str]:
    """The installed console script next to this Python, else `python -m briefgen`
    (also with BRIEFGEN_BENCH_MODULE=1: to measure another checkout through PYTHONPATH)."""
    exe = Path(sys.executable).with_name("briefgen")
    if exe.exists() and not os.environ.get("BRIEFGEN_BENCH_MODULE"):
        return [str(exe)]
    return [sys.executable, "-m", "briefgen"]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # A normal install has compiled .pyc files; some sandboxes disable writing them,
    # which would add source compilation to every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
        check: bool = True) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if check and code != 0:
        raise SystemExit(f"command failed ({code}): {' '.join(cmd)}\n{err[-2000:]}")
    rss = ru.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru.ru_maxrss / 1024
    return wall, rss, code


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _spin(n: int = 6_000_000) -> float:
    t = time.perf_counter()
    x = 0
    for i in range(n):
        x += i
    return time.perf_counter() - t


def parallel_scaling(procs: int) -> float:
    """Throughput of `procs` CPU-bound Python processes relative to one (ideal: procs)."""
    code = ("import time\nt=time.perf_counter()\nx=0\nfor i in range(6_000_000): x+=i\n"
            "print(time.perf_counter()-t)")
    one = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
    ps = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    times = [float(p.communicate()[0]) for p in ps]
    return procs * one / statistics.mean(times)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    os_name = platform.platform()
    try:
        rel = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = f"{rel.get('PRETTY_NAME', '').strip(chr(34))} ({platform.release()})"
    except OSError:
        pass
    so = soffice()
    so_ver = ""
    if so:
        try:
            so_ver = subprocess.run([so, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram": ram, "os": os_name,
            "python": platform.python_version(), "libreoffice": so_ver}


def print_machine() -> None:
    m = machine()
    print("machine: " + "; ".join(f"{k}={v}" for k, v in m.items() if v))


def med(xs: list[float]) -> float:
    return statistics.median(xs)
