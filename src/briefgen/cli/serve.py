"""`briefgen serve`: the warm build server that `briefgen build` uses when it runs."""

from __future__ import annotations

import gc
import os
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import click

from briefgen.cli.build import report_lines
from briefgen.cli.common import Line, debug_option, error_lines, guarded
from briefgen.errors import BriefgenError
from briefgen.pipeline import build
from briefgen.safety import quiet_unraisable
from briefgen.server import protocol
from briefgen.server.client import INTERRUPTED, request
from briefgen.server.daemon import Server
from briefgen.server.warm import WarmInputs
from briefgen.writers import parse_formats


def _warning_lines(caught: list[warnings.WarningMessage]) -> list[Line]:
    # As a fresh process prints them: each distinct warning once, in Python's format.
    seen = set()
    out: list[Line] = []
    for w in caught:
        key = (str(w.message), w.category, w.filename, w.lineno)
        if key in seen:
            continue
        seen.add(key)
        out.append(("err", warnings.formatwarning(w.message, w.category, w.filename, w.lineno).rstrip("\n"), None))
    return out


def _alive(pid: Any) -> bool:
    """Whether process `pid` still exists (False for anything that is not a pid)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, another user's
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped: its parent reaps it
    except (OSError, IndexError):
        return True


def make_handler(inputs: WarmInputs) -> Callable[[dict[str, Any], Callable[[], bool]], dict[str, Any]]:
    """Answers one build request as ``briefgen build`` would answer in the client's own process:
    in its folder, with its per-build settings, the same messages and exit status."""

    def handle(req: dict[str, Any], cancelled: Callable[[], bool]) -> dict[str, Any]:
        env = req.get("env") or {}
        mine = protocol.client_env()

        def fixed(e: dict[str, str]) -> dict[str, str]:
            return {k: v for k, v in e.items() if k not in protocol.PER_BUILD_ENV}

        if fixed(env) != fixed(mine):
            return {"fallback": "env"}  # other fonts, templates or caches: the client builds itself
        args = req.get("args") or {}
        try:
            old_cwd = os.getcwd()
            os.chdir(req["cwd"])
        except (OSError, KeyError, TypeError):
            return {"fallback": "cwd"}
        saved = {k: os.environ.get(k) for k in protocol.PER_BUILD_ENV}
        for k in protocol.PER_BUILD_ENV:
            if k in env:
                os.environ[k] = env[k]
            else:
                os.environ.pop(k, None)
        old_mask = os.umask(int(req.get("umask", 0o022)))
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                result = build(args["config"], args["out"], parse_formats(args["format"]), list(args["set"]),
                               [Path(t) for t in args["templates"]], [Path(a) for a in args["allow_paths"]],
                               audit=bool(args.get("audit")) or None, inputs=inputs, cancelled=cancelled)
            lines = _warning_lines(caught) + report_lines(result)
            return {"exit": 0, "lines": [*lines, ("out", "\0seconds", None)]}
        except KeyboardInterrupt:
            return {"exit": 130, "lines": [("err", INTERRUPTED, "yellow")]}
        except Exception as e:  # noqa: BLE001 - reported to the client as the CLI reports it
            lines, code = error_lines(e)
            return {"exit": code, "lines": _warning_lines(caught) + lines}
        finally:
            os.umask(old_mask)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            os.chdir(old_cwd)

    return handle


def warm_up() -> None:
    """Load everything a build needs and build the `briefgen init` example once, so the first
    real build is as fast as the later ones (nothing of it is kept but the loaded code)."""
    from briefgen.scaffold import scaffold  # local: only the server's start-up builds the example

    saved = os.environ.get("BRIEFGEN_CHART_CACHE")
    os.environ["BRIEFGEN_CHART_CACHE"] = "0"  # draw: load matplotlib and the chart font now
    try:
        with tempfile.TemporaryDirectory(prefix="briefgen-warm-") as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cfg = scaffold(Path(tmp) / "example", "base")[0][0]  # briefing.yaml
            build(cfg, Path(tmp) / "out")
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first build some time
        pass
    finally:
        if saved is None:
            os.environ.pop("BRIEFGEN_CHART_CACHE", None)
        else:
            os.environ["BRIEFGEN_CHART_CACHE"] = saved


@click.command("serve")
@click.option("--stop", is_flag=True, help="停止正在运行的构建服务")
@click.option("--status", is_flag=True, help="查看构建服务是否在运行")
@click.option("--idle", type=float, default=0, show_default=True, metavar="MINUTES",
              help="空闲多少分钟后自动退出（0 为不退出）")
@debug_option
@guarded
def serve_cmd(stop: bool, status: bool, idle: float, debug: bool) -> None:
    """常驻后台的构建服务：briefgen build 自动交给它生成，省去每次加载程序、字体、模板和数据的时间。

    只监听本机套接字，只有当前用户能连接；输出与单独运行 briefgen build 完全相同。"""
    if not protocol.supported():
        raise BriefgenError("本系统不支持本地套接字（如 Windows），无法启动构建服务",
                            hint="briefgen build 会在各自的进程中生成，结果相同")
    path = protocol.socket_path()
    if stop or status:
        reply = request({"op": "stop" if stop else "status", "identity": protocol.identity()}, timeout=10)
        if reply is None:
            click.echo("构建服务没有运行")
            sys.exit(1 if status else 0)
        if reply.get("fallback") == "stale":
            click.echo("构建服务的程序文件已更新，它已退出（由 systemd 等管理时会用新程序重新启动）")
            sys.exit(1 if status else 0)
        if reply.get("fallback"):
            raise BriefgenError("该套接字上运行的是另一个安装的 briefgen 构建服务", where=str(path),
                                hint="请用启动它的那个 briefgen 停止它")
        if stop:
            # Answered before it has shut down: wait (up to 5 s) until it has, so that a
            # `briefgen serve` right after this starts a new server instead of meeting the old one.
            deadline = time.monotonic() + 5
            while _alive(reply.get("stopped")) and time.monotonic() < deadline:
                time.sleep(0.05)
            click.echo(f"构建服务已停止（进程 {reply.get('stopped')}）")
        else:
            click.echo(f"构建服务正在运行：进程 {reply.get('pid')}，已生成 {reply.get('builds')} 次，套接字 {path}")
        return
    quiet_unraisable()
    server = Server(path, make_handler(WarmInputs()), idle, log=lambda m: click.echo(m, err=True))
    server.bind()

    def on_term(signum: int, frame: Any) -> None:
        raise SystemExit(0)  # a build in progress unwinds and removes its temporaries

    signal.signal(signal.SIGTERM, on_term)
    try:
        warm_up()
        gc.freeze()  # the loaded libraries stay for good: the collector need not walk them again
        click.echo(f"构建服务已启动：{path}（进程 {os.getpid()}）；停止：briefgen serve --stop", err=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    if server.stale:
        click.echo("briefgen 的程序文件已更新，构建服务退出（systemd 的 Restart=on-failure 会用新程序重启它）",
                   err=True)
        sys.exit(75)  # EX_TEMPFAIL: not a clean stop, so a supervisor restarts it with the new code
