"""Every row of issue #14's table in one run, side by side with LibreOffice (issue #14).

    python bench/compare.py [--rounds 5] [--no-batch] [--no-stages] [--no-serve] [--no-tables]
                            [--uno /path/to/venv/bin]

Each row is whole processes, measured interleaved with `soffice --headless --convert-to pdf`
of that row's own DOCX (same load on the machine), median of `--rounds`; the ratio is
median briefgen / median soffice. Where unoserver (a warm LibreOffice, `pip install
unoserver` into a Python that has LibreOffice's `uno` module, e.g. `python3 -m venv
--system-site-packages`) is found next to `--uno`, its `unoconvert` is timed too: the
strongest peer. Rows:

* seed (seeds/yichang-2021, DOCX+PDF, 4 charts), one-shot `briefgen build` (BRIEFGEN_SERVER=0):
  warm chart cache (same data as the last build) and every chart drawn (BRIEFGEN_CHART_CACHE=0,
  the monthly case: new data, new charts);
* the same through a running `briefgen serve` (private socket), charts cached and drawn;
* first build after install: empty briefgen caches (a new XDG_CACHE_HOME), .pyc files present;
* `briefgen validate` alone;
* a regions table of 1,000 and 2,000 rows, and 40 charts (bench/growth.py's projects), one-shot
  and served;
* the batch demo (39 briefings, 2 workers, every chart drawn, empty caches: a machine's first
  batch) against one soffice converting the 39 DOCX; peak memory of each worker from /proc.

Then the per-stage breakdown of one seed build (bench/stages.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from _common import DEMO, SEED, briefgen_cmd, child_env, med, parallel_scaling, print_machine, run, soffice
from _procs import run_sampled
from growth import make_project
from stages import stage_table


class Row:
    """One line of the table: briefgen times, soffice times, unoconvert times."""

    def __init__(self, label: str, note: str = ""):
        self.label, self.note = label, note
        self.bg: list[float] = []
        self.lo: list[float] = []
        self.uno: list[float] = []

    def line(self) -> str:
        def fmt(xs: list[float]) -> str:
            return f"{med(xs):7.2f} s" if xs else "      - "

        ratio = f"{med(self.bg) / med(self.lo):5.2f}" if self.bg and self.lo else "   - "
        ratio_u = f"{med(self.bg) / med(self.uno):5.2f}" if self.bg and self.uno else "   - "
        return (f"| {self.label} | {fmt(self.bg)} | {fmt(self.lo)} | {ratio} | {fmt(self.uno)} | {ratio_u} "
                f"| {self.note} |")


HEADER = ("| work | briefgen | soffice | ratio | unoconvert (warm LO) | ratio | note |\n"
          "|---|---|---|---|---|---|---|")


class Uno:
    """A unoserver for the run (a warm LibreOffice), if installed."""

    def __init__(self, bindir: Path | None, tmp: Path):
        self.proc: subprocess.Popen | None = None
        self.bindir = bindir
        self.tmp = tmp
        if bindir is None or not (bindir / "unoserver").exists():
            return
        self.proc = subprocess.Popen([str(bindir / "unoserver"), "--interface", "127.0.0.1", "--port", "2193",
                                      "--uno-port", "2194", "--user-installation", str(tmp / "lo-uno")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = subprocess.run([str(bindir / "unoping"), "--host", "127.0.0.1", "--port", "2193"],
                               capture_output=True)
            if r.returncode == 0:
                break
            time.sleep(1)
        else:
            self.stop()

    def cmd(self, docx: Path, pdf: Path) -> list[str] | None:
        if self.proc is None or self.bindir is None:
            return None
        return [str(self.bindir / "unoconvert"), "--host", "127.0.0.1", "--port", "2193", "--convert-to", "pdf",
                str(docx), str(pdf)]

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None


class Serve:
    """A `briefgen serve` on a private socket for the run."""

    def __init__(self, tmp: Path, env: dict[str, str]):
        self.env = dict(env, BRIEFGEN_SERVER_SOCKET=str(tmp / "sock" / "serve.sock"))
        self.env.pop("BRIEFGEN_SERVER", None)
        self.proc = subprocess.Popen([*briefgen_cmd(), "serve"], env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = subprocess.run([*briefgen_cmd(), "serve", "--status"], env=self.env, capture_output=True, text=True)
            if "正在运行" in r.stdout:
                return
            time.sleep(0.5)
        raise SystemExit("briefgen serve did not start")

    def builds(self) -> int:
        r = subprocess.run([*briefgen_cmd(), "serve", "--status"], env=self.env, capture_output=True, text=True)
        return int(r.stdout.split("已生成 ")[1].split(" 次")[0])

    def stop(self) -> None:
        subprocess.run([*briefgen_cmd(), "serve", "--stop"], env=self.env, capture_output=True)
        self.proc.wait(30)


def _lo_cmd(so: str, profile: Path, docx: list[Path], outdir: Path) -> list[str]:
    return [so, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(outdir), *map(str, docx)]


def measure(row: Row, rounds: int, bg: list[str], env: dict[str, str], docx: Path, lo_profile: Path,
            uno: Uno, tmp: Path, warm: bool = True, fresh_env=None) -> None:
    so = soffice()
    if warm:
        run(bg, env)
    for i in range(rounds):
        e = fresh_env(i) if fresh_env else env
        row.bg.append(run(bg, e)[0])
        if so:
            row.lo.append(run(_lo_cmd(so, lo_profile, [docx], tmp / "lo"), env)[0])
        ucmd = uno.cmd(docx, tmp / "uno.pdf")
        if ucmd:
            row.uno.append(run(ucmd, env)[0])
    print(row.line(), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-batch", action="store_true")
    ap.add_argument("--no-stages", action="store_true")
    ap.add_argument("--no-serve", action="store_true", help="skip the rows through `briefgen serve` (older code)")
    ap.add_argument("--no-tables", action="store_true", help="skip the 1,000/2,000-row tables (minutes on old code)")
    ap.add_argument("--uno", type=Path, default=Path("/tmp/venv-i14-uno/bin"),
                    help="folder with unoserver/unoconvert/unoping")
    args = ap.parse_args()
    print_machine()
    print(f"CPU-bound scaling of 2 Python processes right now: {parallel_scaling(2):.2f}x (ideal 2x)")
    so = soffice()
    with tempfile.TemporaryDirectory(prefix="bench-cmp-", dir="/tmp") as tmp_:
        tmp = Path(tmp_)
        cache = tmp / "cache"
        base = child_env(XDG_CACHE_HOME=str(cache), BRIEFGEN_SERVER="0")
        drawn = dict(base, BRIEFGEN_CHART_CACHE="0")
        profile = tmp / "lo-profile"
        out = tmp / "out"
        bg_seed = [*briefgen_cmd(), "build", str(SEED), "--out", str(out)]
        run(bg_seed, base)  # .pyc, font caches, chart cache
        docx = out / "yichang-2021.docx"
        if so:
            run(_lo_cmd(so, profile, [docx], tmp / "lo"), base)  # LibreOffice's profile
        uno = Uno(args.uno, tmp)
        server = None
        try:
            print()
            print(HEADER)
            measure(Row("seed, DOCX+PDF, chart cache warm, one-shot", "warm chart cache"), args.rounds, bg_seed,
                    base, docx, profile, uno, tmp)
            measure(Row("seed, charts drawn, one-shot", "target ≤ 0.5"), args.rounds, bg_seed, drawn, docx,
                    profile, uno, tmp)
            served = None
            if not args.no_serve:
                server = Serve(tmp, base)
                served = dict(server.env)
                measure(Row("seed, chart cache warm, via `briefgen serve`", "warm chart cache"), args.rounds,
                        bg_seed, served, docx, profile, uno, tmp)
                n0 = server.builds()
                measure(Row("seed, charts drawn, via `briefgen serve`", "target ≤ 0.33"), args.rounds, bg_seed,
                        dict(served, BRIEFGEN_CHART_CACHE="0"), docx, profile, uno, tmp)
                assert server.builds() == n0 + args.rounds + 1, "builds did not go through the server"

            def fresh(i: int) -> dict[str, str]:
                return dict(base, XDG_CACHE_HOME=str(tmp / f"empty-{i}"))

            measure(Row("seed, first build after install (empty caches)", "target ≤ 1.0"), max(3, args.rounds // 2),
                    bg_seed, base, docx, profile, uno, tmp, warm=False, fresh_env=fresh)
            measure(Row("`briefgen validate` alone", "target ≤ 0.2 (issue)"), args.rounds,
                    [*briefgen_cmd(), "validate", str(SEED)], base, docx, profile, uno, tmp)
            for n in () if args.no_tables else (1000, 2000):
                proj = make_project(tmp / f"rows-{n}", regions=n)
                cmd = [*briefgen_cmd(), "build", str(proj), "--out", str(tmp / f"rows-{n}" / "out")]
                d = tmp / f"rows-{n}" / "out" / "growth.docx"
                measure(Row(f"regions table {n:,} rows, one-shot", "target ≤ 0.5"), max(3, args.rounds // 2), cmd,
                        drawn, d, profile, uno, tmp)
                if served is not None:
                    measure(Row(f"regions table {n:,} rows, via serve", ""), max(3, args.rounds // 2), cmd,
                            dict(served, BRIEFGEN_CHART_CACHE="0"), d, profile, uno, tmp)
            proj = make_project(tmp / "charts-40", regions=12, charts=40, table=False)
            cmd = [*briefgen_cmd(), "build", str(proj), "--out", str(tmp / "charts-40" / "out")]
            d = tmp / "charts-40" / "out" / "growth.docx"
            measure(Row("40 charts, drawn, one-shot", "target ≤ 1.0"), max(3, args.rounds // 2), cmd, drawn, d,
                    profile, uno, tmp)
            if served is not None:
                measure(Row("40 charts, drawn, via serve", ""), max(3, args.rounds // 2), cmd,
                        dict(served, BRIEFGEN_CHART_CACHE="0"), d, profile, uno, tmp)
            if server is not None:
                server.stop()
                server = None
            if not args.no_batch:
                batch(tmp, base, so, profile, uno)
        finally:
            if server is not None:
                server.stop()
            uno.stop()  # also when a row fails: a stray LibreOffice would skew the next run
    if not args.no_stages:
        print()
        print(stage_table(SEED, args.rounds, "drawn"))
        print()
        print(stage_table(SEED, args.rounds, "cached"))


def batch(tmp: Path, base: dict[str, str], so: str | None, profile: Path, uno: Uno) -> None:
    """The batch demo's first run on a machine's first batch: empty caches, every chart drawn."""
    env = dict(base, XDG_CACHE_HOME=str(tmp / "batch-cache"), BRIEFGEN_CHART_CACHE="0")
    out = tmp / "batch-out"
    cmd = [*briefgen_cmd(), "batch", str(DEMO), "--out", str(out), "--jobs", "2", "-q"]
    wall, code, sampler, err = run_sampled(cmd, env=env)
    if code != 0:
        raise SystemExit(f"batch failed ({code}):\n{err}")
    docs = sorted(out.rglob("*.docx"))
    n = len(docs)
    workers = sorted((rss for pid, rss in sampler.peaks.items() if "fork" in sampler.names.get(pid, "")),
                     reverse=True)
    print()
    print(f"batch demo, first run, empty caches, 2 workers, every chart drawn: {n} briefings in {wall:.2f} s = "
          f"{n / wall:.2f} briefings/s (target ≥ 5/s)")
    print("peak RSS over the process tree (/proc): fork server and workers "
          + ", ".join(f"{r / 2**20:.0f}" for r in workers) + f" MB; whole tree {sampler.peak_total / 2**20:.0f} MB "
          "(target: each worker ≤ 300 MB)")
    if so:
        flat = tmp / "batch-docx"
        flat.mkdir()
        copies = []
        for i, p in enumerate(docs):
            copies.append(flat / f"{i:02d}.docx")
            shutil.copy(p, copies[-1])
        t, _m, _ = run(_lo_cmd(so, profile, copies, tmp / "batch-lo"), base)
        print(f"one soffice converting the {n} DOCX: {t:.2f} s = {n / t:.2f}/s; ratio briefgen/soffice {wall / t:.2f}")
        if uno.cmd(copies[0], tmp / "u.pdf"):
            t0 = time.perf_counter()
            for c in copies:
                run(uno.cmd(c, tmp / "u.pdf") or [], base)
            t = time.perf_counter() - t0
            print(f"unoconvert of the {n} DOCX one after another (warm LibreOffice): {t:.2f} s = {n / t:.2f}/s")


if __name__ == "__main__":
    main()
