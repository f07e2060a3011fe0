"""The thin client of ``briefgen build``: hands the build to a running ``briefgen serve``.

Standard library only and nothing of briefgen's own beyond this package, so asking the
server costs a few hundredths of a second. Whenever the server cannot take the build —
none runs, it belongs to another installation or environment, its code changed, the
command line is one the client does not read itself (``--debug``, ``--help``) — the
caller builds in its own process, exactly as without a server.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any

from briefgen.server import protocol

__all__ = ["try_build", "parse_build_args", "request"]

_VALUED = {"--out": "out", "--format": "format", "--set": "set", "--templates": "templates",
           "--allow-path": "allow_paths"}
_FLAGS = {"--audit": "audit"}
_MULTI = {"set", "templates", "allow_paths"}
INTERRUPTED = "已中断：本次没有写入任何文件，原有输出保持不变。"
TOO_LATE = "中断得太晚：构建服务已经写完上面列出的文件。"
UNKNOWN = "已中断，但构建服务没有及时回应，无法确认是否已写入输出文件，请检查输出目录。"
SILENT = f"构建服务超过 {protocol.SILENCE:.0f} 秒没有回应，改在当前进程中生成。"
ANSWER_WAIT = 5.0  # after Ctrl-C: how long to wait for the server to say whether it wrote anything


def parse_build_args(argv: list[str]) -> dict[str, Any] | None:
    """The options of ``briefgen build`` from its arguments, or None when they hold anything
    the client leaves to the full command line (help, --debug, unknown or malformed options)."""
    args: dict[str, Any] = {"out": "output", "format": "docx,pdf", "set": [], "templates": [], "allow_paths": []}
    config = None
    it = iter(argv)
    for tok in it:
        if tok.startswith("-"):
            name, eq, value = tok.partition("=")
            if name in _FLAGS and not eq:
                args[_FLAGS[name]] = True
                continue
            key = _VALUED.get(name)
            if key is None:
                return None  # --debug, --help, -h, --, or a typo: click says what it says
            if not eq:
                value = next(it, None)  # type: ignore[assignment]
                if value is None:
                    return None
            if key in _MULTI:
                args[key].append(value)
            else:
                args[key] = value
        elif config is None:
            config = tok
        else:
            return None
    if config is None or not config:
        return None
    for d in args["allow_paths"]:
        if os.path.exists(d) and not os.path.isdir(d):
            return None  # click refuses a file there, with its own message
    args["config"] = config
    return args


def request(message: dict[str, Any], timeout: float | None = None) -> dict[str, Any] | None:
    """Send one message to the server and wait for its answer; None when no server answers."""
    if not protocol.supported():
        return None
    path = protocol.socket_path()
    if not path.exists():
        return None
    try:
        sock = protocol.connect(path, 2.0)
    except OSError:
        return None
    try:
        sock.settimeout(timeout)
        protocol.send(sock, message)
        return protocol.receive(sock)
    except OSError:
        return None
    finally:
        sock.close()


def _color(stream: Any, text: str, color: str | None) -> str:
    # As click.secho: colour only on a terminal.
    codes = {"red": 31, "yellow": 33, "green": 32}
    if color in codes and stream.isatty():
        return f"\x1b[{codes[color]}m{text}\x1b[0m"
    return text


def try_build(argv: list[str]) -> int | None:
    """Run ``briefgen build`` (its arguments after ``build``) through a running server and
    return its exit status, or None when the caller should build in its own process."""
    if os.environ.get("BRIEFGEN_SERVER", "").strip().lower() in ("0", "off", "no", "false"):
        return None
    if not protocol.supported():
        return None
    args = parse_build_args(argv)
    if args is None:
        return None
    path = protocol.socket_path()
    if not path.exists():
        return None
    mask = os.umask(0o022)
    os.umask(mask)
    message = {"op": "build", "identity": protocol.identity(), "cwd": os.getcwd(), "env": protocol.client_env(),
               "umask": mask, "args": args}
    t0 = time.perf_counter()
    try:
        sock = protocol.connect(path, 2.0)
    except OSError:
        return None  # none runs, or not this user's: built here
    except KeyboardInterrupt:
        print(_color(sys.stderr, INTERRUPTED, "yellow"), file=sys.stderr)  # nothing was sent
        return 130
    acked = False
    try:
        try:
            protocol.send(sock, message)
            sock.settimeout(protocol.ACK_TIMEOUT)
            reply = protocol.receive(sock)
            if reply is not None and "ack" in reply:
                acked = True
                sock.settimeout(protocol.SILENCE)
                while reply is not None and ("ack" in reply or "beat" in reply):
                    reply = protocol.receive(sock)
        except KeyboardInterrupt:
            return _interrupted(sock, acked, t0)
        except (OSError, ValueError):
            # No answer in time (a stopped or stuck server) or a broken connection.
            if acked:
                print(_color(sys.stderr, SILENT, "yellow"), file=sys.stderr)
            return None
        if reply is None and acked:
            print(_color(sys.stderr, SILENT, "yellow"), file=sys.stderr)
            return None
    finally:
        sock.close()
    if reply is None or "exit" not in reply:
        if reply and reply.get("notice"):
            print(reply["notice"], file=sys.stderr)
        return None
    return _report(reply, t0)


def _report(reply: dict[str, Any], t0: float) -> int:
    for stream_name, text, color in reply.get("lines", []):
        stream = sys.stderr if stream_name == "err" else sys.stdout
        if text == "\0seconds":
            text = f"用时 {time.perf_counter() - t0:.2f} 秒"
        print(_color(stream, text, color), file=stream)
    sys.stdout.flush()
    return int(reply["exit"])


def _interrupted(sock: socket.socket, acked: bool, t0: float) -> int:
    """Ctrl-C while the server builds: tell it (close our sending side; it then writes nothing
    unless it already has), wait a few seconds for its answer and say what really happened."""
    reply = None
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + ANSWER_WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            msg = protocol.receive(sock)
            if msg is None:
                break
            if "ack" in msg or "beat" in msg:
                acked = True
                continue
            reply = msg
            break
    except (OSError, ValueError, KeyboardInterrupt):
        pass
    if reply is not None and "exit" in reply and reply["exit"] != 130:
        code = _report(reply, t0)  # finished (files written, or an error) before the interruption reached it
        if code == 0:
            print(_color(sys.stderr, TOO_LATE, "yellow"), file=sys.stderr)
        return code
    if reply is None and acked:
        print(_color(sys.stderr, UNKNOWN, "yellow"), file=sys.stderr)
    else:
        print(_color(sys.stderr, INTERRUPTED, "yellow"), file=sys.stderr)
    return 130
