"""The build server's socket loop: one local socket per user, one build at a time.

The socket lives in a folder only its owner can enter (0700) and is itself 0600; each
connection's peer is checked to be the same user (SO_PEERCRED where the system has it).
Builds run one after another in this process, so what they read stays warm. Before each
request the server checks that its own code (briefgen's modules and the libraries it
loaded) is unchanged; after an upgrade it stops, and clients build in their own process.
"""

from __future__ import annotations

import os
import select
import socket
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from briefgen.errors import BriefgenError
from briefgen.server import protocol

__all__ = ["Server", "code_signature"]

Handler = Callable[[dict[str, Any], Callable[[], bool]], dict[str, Any]]


def code_signature() -> dict[str, tuple[int, int]]:
    """(size, mtime) of every briefgen module file and of each loaded library's top module."""
    out: dict[str, tuple[int, int]] = {}
    pkg = Path(__file__).resolve().parents[1]
    files = list(pkg.rglob("*.py"))
    for name in ("docx", "pptx", "reportlab", "matplotlib", "pydantic", "pydantic_core", "jinja2", "yaml", "lxml",
                 "PIL", "fontTools", "numpy", "openpyxl", "xlsxwriter"):
        mod = sys.modules.get(name)
        f = getattr(mod, "__file__", None)
        if f:
            files.append(Path(f))
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out[str(f)] = (st.st_size, st.st_mtime_ns)
    return out


def _gone(conn: socket.socket) -> bool:
    """Whether the client closed its end (it sends nothing after its request)."""
    try:
        ready, _, _ = select.select([conn], [], [], 0)
        return bool(ready) and conn.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class Server:
    """Listens on `path` and answers each request with `handler(request, cancelled)`."""

    def __init__(self, path: Path, handler: Handler, idle_minutes: float = 0, log: Callable[[str], None] = print):
        self.path = path
        self.handler = handler
        self.idle = idle_minutes * 60
        self.log = log
        self.identity = protocol.identity()
        self.signature: dict[str, tuple[int, int]] = {}
        self.sock: socket.socket | None = None
        self._inode = -1
        self.stopping = False
        self.stale = False  # stopped because its code changed: a supervisor should start it again
        self.builds = 0

    # -- socket ----------------------------------------------------------------
    def bind(self) -> None:
        """Create the private folder and the socket; refuse when another server answers there."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
        if st.st_uid != os.getuid():
            raise BriefgenError("构建服务的目录不属于当前用户，拒绝使用", where=str(folder))
        if stat.S_IMODE(st.st_mode) & 0o077 and folder.name == "briefgen":
            os.chmod(folder, 0o700)
        if self.path.exists() or self.path.is_symlink():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(self.path))
            except OSError:
                self.path.unlink()  # left by a server that died
            else:
                raise BriefgenError("构建服务已在运行", where=str(self.path),
                                    hint="用 briefgen serve --stop 停止它，或用 briefgen serve --status 查看")
            finally:
                probe.close()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is born 0600: no window in which others could connect
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        self._inode = os.stat(self.path).st_ino  # to remove only our own socket file, never a successor's
        sock.listen(16)
        self.sock = sock

    def close(self) -> None:
        """Stop listening and remove the socket (only if it is still ours)."""
        if self.sock is not None:
            try:
                if os.stat(self.path).st_ino == self._inode:
                    self.path.unlink()
            except OSError:
                pass
            self.sock.close()
            self.sock = None

    # -- loop ------------------------------------------------------------------
    def serve_forever(self) -> None:
        """Answer requests until stopped (``--stop``, SIGTERM, idle time-out or changed code)."""
        assert self.sock is not None
        self.signature = code_signature()
        last = time.monotonic()
        while not self.stopping:
            timeout = None
            if self.idle:
                timeout = max(0.0, self.idle - (time.monotonic() - last))
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                self.log("空闲超时，构建服务退出")
                break
            conn, _ = self.sock.accept()
            try:
                self._answer(conn)
            except (OSError, ValueError) as e:
                self.log(f"连接出错：{e}")
            finally:
                conn.close()
            last = time.monotonic()

    def _answer(self, conn: socket.socket) -> None:
        uid = protocol.peer_uid(conn)
        if uid is not None and uid != os.getuid():
            return  # another user: no answer at all
        conn.settimeout(5)  # a client sends its request at once: a silent one must not hold the server up
        req = protocol.receive(conn)
        conn.settimeout(30)  # nor one that stops reading
        if req is None:
            return
        op = req.get("op")
        if op == "stop":
            # From any client of this user (the socket is the user's): also from an upgraded or
            # another installation, which could not stop it otherwise.
            self.stopping = True
            protocol.send(conn, {"stopped": os.getpid()})
            return
        # The code first: after an upgrade the client's identity (its version) differs too, and
        # the server must stop rather than refuse it as another installation.
        ident = req.get("identity")
        upgraded = isinstance(ident, dict) and ident.get("package") == self.identity["package"] \
            and ident != self.identity
        if upgraded or code_signature() != self.signature:
            self.stopping = self.stale = True
            protocol.send(conn, {"fallback": "stale",
                                 "notice": "提示：briefgen 的程序文件已更新，构建服务已退出；本次在当前进程中生成。"})
            return
        if ident != self.identity:
            protocol.send(conn, {"fallback": "identity"})
            return
        if op == "status":
            protocol.send(conn, {"pid": os.getpid(), "builds": self.builds, "path": str(self.path)})
            return
        protocol.send(conn, {"ack": 1})  # the build starts now (a client without it in time builds itself)
        cancelled = threading.Event()

        def watch() -> None:
            # The client closing its end cancels the build; a heartbeat tells it the build goes on.
            beat = time.monotonic()
            while not cancelled.is_set() and not done.is_set():
                if _gone(conn):
                    cancelled.set()
                    return
                if time.monotonic() - beat >= protocol.HEARTBEAT:
                    beat = time.monotonic()
                    try:
                        protocol.send(conn, {"beat": 1})
                    except OSError:
                        cancelled.set()
                        return
                done.wait(0.1)

        done = threading.Event()
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            reply = self.handler(req, cancelled.is_set)
        finally:
            done.set()
            watcher.join()
        if "exit" in reply:
            self.builds += 1
        try:
            # Also to a client that was interrupted: it waits a moment to say whether files were written.
            protocol.send(conn, reply)
        except OSError:
            pass
