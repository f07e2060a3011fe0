"""A chart helper process for one-shot builds: matplotlib loads and charts are drawn on the
second processor while the build process loads the rest and makes the document.

``briefgen build`` (without a build server) starts it first thing, before any heavy import;
the pipeline then hands each chart to it (:meth:`ChartHelper.submit`) instead of drawing it,
and waits for all of them (:meth:`ChartHelper.wait`) before the writers read the files. The
files, warnings and errors are the same as drawing in-process: a chart the helper could not
draw is drawn again in the build process, which raises the error as it always did.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import warnings
from pathlib import Path
from typing import Any

__all__ = ["ChartHelper", "current", "start"]

_HEAD = struct.Struct(">I")
_CURRENT: "ChartHelper | None" = None


def _send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEAD.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _recv(fd: int) -> Any:
    def exactly(n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    head = exactly(_HEAD.size)
    if head is None:
        return None
    body = exactly(_HEAD.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _child(requests: int, replies: int) -> None:
    """Load matplotlib now, then draw each chart asked for until the build process goes away."""
    try:
        import briefgen.charts.render  # noqa: F401  # the import this process exists to pay for early
        from briefgen.charts.cache import cached_chart  # in the helper only: the build process imports it itself
    except BaseException:  # noqa: BLE001 - the build process draws for itself
        os._exit(0)
    while True:
        try:
            req = _recv(requests)
        except BaseException:  # noqa: BLE001 - a broken pipe: the build process is gone
            os._exit(0)
        if req is None:
            os._exit(0)
        spec, out, font_path, font_index, vector = req
        caught: list[warnings.WarningMessage] = []
        ok = True
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                cached_chart(spec, out, font_path, font_index, vector=vector)
        except BaseException:  # noqa: BLE001 - the build process redraws it and reports the error itself
            ok = False
        notes = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
        try:
            _send(replies, (ok, notes))
        except BaseException:  # noqa: BLE001
            os._exit(0)


class ChartHelper:
    """The build process's end of the helper."""

    def __init__(self, pid: int, requests: int, replies: int):
        self.pid = pid
        self.requests = requests
        self.replies = replies
        self.pending: list[tuple] = []
        self.alive = True
        self.shown: set[tuple] = set()

    def submit(self, spec: Any, out: Path | None, font_path: Path | None, font_index: int,
               vector: Path | None) -> None:
        """Ask for one chart; drawn in-process at once when the helper is gone."""
        req = (spec, out, font_path, font_index, vector)
        if self.alive:
            try:
                _send(self.requests, req)
                self.pending.append(req)
                return
            except OSError:
                self.alive = False
        _draw_here(*req)

    def wait(self) -> None:
        """Every chart asked for is on disk (or its error raised, as in-process)."""
        pending, self.pending = self.pending, []
        for req in pending:
            reply = None
            if self.alive:
                try:
                    reply = _recv(self.replies)
                except (OSError, EOFError, pickle.UnpicklingError):
                    reply = None
                if reply is None:
                    self.alive = False
            if reply is None or not reply[0]:
                _draw_here(*req)  # raises what the in-process drawing raises
                continue
            for message, category, filename, lineno in reply[1]:
                key = (message, category, filename, lineno)
                if key not in self.shown:  # as Python's default filter: once per place and text
                    self.shown.add(key)
                    warnings.warn_explicit(message, category, filename, lineno)

    def close(self) -> None:
        """End the helper (the build is over or failed)."""
        global _CURRENT
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        self.alive = False
        if _CURRENT is self:
            _CURRENT = None


def _draw_here(spec: Any, out: Path | None, font_path: Path | None, font_index: int, vector: Path | None) -> None:
    from briefgen.charts.cache import cached_chart  # local: the helper's fallback only

    cached_chart(spec, out, font_path, font_index, vector=vector)


def start() -> ChartHelper | None:
    """Fork the helper (only where fork exists, with two processors or more, once per process)."""
    global _CURRENT
    if _CURRENT is not None or not hasattr(os, "fork") or sys.platform == "darwin":
        return _CURRENT
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    if cpus < 2 or os.environ.get("BRIEFGEN_CHART_HELPER", "1") == "0":
        return None
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(req_w)
        os.close(rep_r)
        _child(req_r, rep_w)
        os._exit(0)
    os.close(req_r)
    os.close(rep_w)
    _CURRENT = ChartHelper(pid, req_w, rep_r)
    return _CURRENT


def current() -> ChartHelper | None:
    """The helper of this process, if one was started."""
    return _CURRENT
