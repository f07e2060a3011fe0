"""A chart helper process for one-shot builds: matplotlib loads and charts are drawn on the
second processor while the build process loads the rest and makes the document.

``briefgen build`` (without a build server) starts it first thing, before any heavy import;
the pipeline then hands each chart to it (:meth:`ChartHelper.submit`) instead of drawing it,
and waits for all of them (:meth:`ChartHelper.wait`) before the writers read the files. The
files, warnings and errors are the same as drawing in-process: a chart the helper could not
draw is drawn again in the build process, which raises the error as it always did.
"""

from __future__ import annotations

import gc
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
    gc.freeze()  # matplotlib's modules stay for good; charts' own cycles are still collected
    gc.enable()
    while True:
        try:
            req = _recv(requests)
        except BaseException:  # noqa: BLE001 - a broken pipe: the build process is gone
            os._exit(0)
        if req is None:
            os._exit(0)
        spec, out, font_path, font_index, vector, env = req
        for k, v in env.items():  # the build's own settings (a warm server's helper serves many builds)
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
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


# The settings a chart's drawing reads from the environment, sent with each request.
_CHART_ENV = ("BRIEFGEN_CHART_CACHE",)


def _abs(p: Path | None) -> Path | None:
    return None if p is None else Path(os.path.abspath(p))


class ChartHelper:
    """The build process's end of the helper.

    ``persistent`` (the warm build server's helper): it serves build after build, and the
    server draws every other chart itself meanwhile, so two charts are drawn at a time.
    """

    def __init__(self, pid: int, requests: int, replies: int, persistent: bool = False):
        self.pid = pid
        self.requests = requests
        self.replies = replies
        self.persistent = persistent
        self.pending: list[tuple[tuple, Any]] = []  # (request, None: sent | (ok, notes): drawn here)
        self.alive = True
        self.shown: set[tuple] = set()

    def submit(self, spec: Any, out: Path | None, font_path: Path | None, font_index: int,
               vector: Path | None) -> None:
        """Ask for one chart; drawn in-process at once when the helper is gone."""
        req = (spec, _abs(out), _abs(font_path), font_index, _abs(vector))
        if self.persistent and len(self.pending) % 2 == 1:
            self.pending.append((req, _draw_recorded(*req)))  # this one here, the next one there
            return
        if self.alive:
            try:
                _send(self.requests, (*req, {k: os.environ.get(k) for k in _CHART_ENV}))
                self.pending.append((req, None))
                return
            except OSError:
                self.alive = False
        _draw_here(*req)

    def wait(self) -> None:
        """Every chart asked for is on disk (or its error raised, as in-process); warnings are
        raised in the order the charts were asked for."""
        try:
            self._settle(len(self.pending))
        finally:
            if self.persistent:
                self.shown.clear()  # the next build shows its warnings afresh

    def wait_for(self, path: Path) -> None:
        """The chart drawing into `path` (PNG or vector file) is on disk, and every chart asked
        for before it, as :meth:`wait` says; nothing to wait for when no chart asked for draws
        into `path` (or it was waited for already). A writer calls it as it reaches a chart."""
        p = _abs(path)
        for i, (req, _reply) in enumerate(self.pending):
            if p in (req[1], req[4]):
                self._settle(i + 1)
                return

    def _settle(self, upto: int) -> None:
        """Take the answers for the first `upto` charts asked for (drawing here any the helper
        could not draw, which raises its error) and raise their warnings in order."""
        pending, self.pending = self.pending[:upto], self.pending[upto:]
        for i, (req, reply) in enumerate(pending):
            if reply is None:
                reply = self._reply()
            if reply is None or not reply[0]:
                self._discard(pending[i + 1:] + self.pending)  # the answers still owed, kept in order
                _draw_here(*req)  # raises what the in-process drawing raises
                self._settle(upto - i - 1)  # drawn here after all: on with the rest, answered now
                return
            for message, category, filename, lineno in reply[1]:
                key = (message, category, filename, lineno)
                if key not in self.shown:  # as Python's default filter: once per place and text
                    self.shown.add(key)
                    warnings.warn_explicit(message, category, filename, lineno)

    def _reply(self) -> Any:
        if not self.alive:
            return None
        try:
            reply = _recv(self.replies)
        except (OSError, EOFError, pickle.UnpicklingError):
            reply = None
        if reply is None:
            self.alive = False
        return reply

    def _discard(self, rest: list[tuple[tuple, Any]]) -> None:
        """Read the answers still owed for `rest` (kept in step for the next build), and put
        them back to be looked at after the chart that failed."""
        self.pending = [(req, reply if reply is not None else self._reply()) for req, reply in rest]

    def reset(self) -> None:
        """After a build that failed before waiting: take the answers still owed, forget the rest."""
        self._discard(self.pending)
        self.pending = []
        self.shown.clear()

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


def _draw_recorded(*req: Any) -> tuple[bool, list[tuple]]:
    """Draw here now, keeping the warnings (raised in order by :meth:`ChartHelper.wait`); a
    failure is drawn again there, which raises it."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _draw_here(*req)
    except Exception:  # noqa: BLE001 - raised again, in order, by wait()
        return False, []
    return True, [(str(w.message), w.category, w.filename, w.lineno) for w in caught]


def start(persistent: bool = False) -> ChartHelper | None:
    """Fork the helper (only where fork exists, with two processors or more, once per process);
    `persistent` for a warm server's helper (see :class:`ChartHelper`)."""
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
    _CURRENT = ChartHelper(pid, req_w, rep_r, persistent)
    return _CURRENT


def current() -> ChartHelper | None:
    """The helper of this process, if one was started."""
    return _CURRENT
