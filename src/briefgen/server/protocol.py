"""What the build server and its client agree on: where the socket is, how a message is
framed, and which part of the environment a build depends on. Standard library only, so
the client starts in a few hundredths of a second.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
from pathlib import Path
from typing import Any

__all__ = ["socket_path", "send", "receive", "identity", "client_env", "PER_BUILD_ENV", "supported"]

VERSION = 2
# A build request is answered {"ack": 1} when the server starts it, then {"beat": 1} every
# HEARTBEAT seconds until the answer; the client gives up after ACK_TIMEOUT without the first
# (it builds itself, silently) or SILENCE without any message (it says so and builds itself).
HEARTBEAT = 2.0
ACK_TIMEOUT = 10.0
SILENCE = 60.0
# Applied for one build only: they change what is written, not what is kept in memory.
PER_BUILD_ENV = ("SOURCE_DATE_EPOCH", "BRIEFGEN_CHART_CACHE")
# Only for the client: whether and where to look for a server.
CLIENT_ONLY_ENV = ("BRIEFGEN_SERVER", "BRIEFGEN_SERVER_SOCKET")
_HEADER = struct.Struct(">I")
MAX_MESSAGE = 64 << 20


def supported() -> bool:
    """Local (Unix) sockets exist here; elsewhere (Windows) every build runs in its own process."""
    return hasattr(socket, "AF_UNIX") and sys.platform != "win32"


def socket_path() -> Path:
    """``$BRIEFGEN_SERVER_SOCKET``, else ``$XDG_RUNTIME_DIR/briefgen/serve.sock``, else
    ``$XDG_CACHE_HOME/briefgen/serve.sock`` (``~/.cache/briefgen/serve.sock``): one per user."""
    explicit = os.environ.get("BRIEFGEN_SERVER_SOCKET")
    if explicit:
        return Path(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return Path(runtime) / "briefgen" / "serve.sock"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "briefgen" / "serve.sock"


def identity() -> dict[str, str]:
    """Which installation of briefgen this is: a server answers only clients of its own."""
    import briefgen  # the package itself: already loaded by the time anything here runs

    return {"package": os.path.dirname(os.path.abspath(briefgen.__file__)), "version": briefgen.__version__,
            "protocol": str(VERSION)}


def client_env() -> dict[str, str]:
    """The part of the environment a build can depend on (fonts, templates, caches, time)."""
    keep = ("BRIEFGEN_", "XDG_", "HOME", "PATH", "TZ", "LANG", "LC_", "SOURCE_DATE_EPOCH", "LOCALAPPDATA", "PYTHON")
    return {k: v for k, v in os.environ.items() if k.startswith(keep) and k not in CLIENT_ONLY_ENV}


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    """One message: its length, then its JSON."""
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _exactly(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def receive(sock: socket.socket) -> dict[str, Any] | None:
    """The next message, or None when the other side closed the connection."""
    head = _exactly(sock, _HEADER.size)
    if head is None:
        return None
    (n,) = _HEADER.unpack(head)
    if n > MAX_MESSAGE:
        raise ValueError("message too long")
    body = _exactly(sock, n)
    if body is None:
        return None
    value = json.loads(body.decode("utf-8"))
    return value if isinstance(value, dict) else None


def peer_uid(conn: socket.socket) -> int | None:
    """The user id of the process at the other end of a Unix socket (None where the system
    does not tell: then the folder's permissions are the only guard)."""
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


def connect(path: Path, timeout: float) -> socket.socket:
    """A connection to the server at `path`, refused (OSError) unless the process listening
    there is this user's: a build's folder, environment and files go only to its own server."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(str(path))
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise OSError(f"the server at {path} belongs to user {uid}")
    except BaseException:
        sock.close()
        raise
    return sock
