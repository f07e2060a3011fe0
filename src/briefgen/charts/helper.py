"""A chart helper process for one-shot builds: matplotlib loads and charts are drawn on the
second processor while the build process loads the rest and makes the document.

``briefgen build`` (without a build server) starts it first thing, before any heavy import;
the pipeline then hands each chart to it (:meth:`ChartHelper.submit`) instead of drawing it,
and waits for all of them (:meth:`ChartHelper.wait`) before the writers read the files.

The build process looks up the chart cache itself and sends only the charts it misses, so a
build whose charts all come from the cache never waits for the helper's matplotlib import;
the helper is killed at the end of the build, never waited for. The files, warnings and
errors are the same as drawing in-process: on any trouble with the helper (a chart it could
not draw, no answer, a broken pipe) the build process stops using it and draws the remaining
charts itself, which raises any error as it always did.

The pipes cannot deadlock: a thread of the build process reads every reply as it comes, so
the helper never blocks writing one and always goes back to reading requests.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

__all__ = ["ChartHelper", "current", "start"]

_HEAD = struct.Struct(">I")
_CURRENT: "ChartHelper | None" = None
# No answer from the helper for this long (it may be stuck): the build draws the charts itself.
REPLY_TIMEOUT = 120.0

Request = tuple[Any, "Path | None", "Path | None", int, "Path | None"]  # spec, png, font, index, vector
Note = tuple[str, type, str, int]  # a warning: message, category, file, line


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


def _notes(caught: list[warnings.WarningMessage]) -> list[Note]:
    return [(str(w.message), w.category, w.filename, w.lineno) for w in caught]


def _draw(req: Request) -> None:
    from briefgen.charts.cache import cached_chart  # local: imported after the fork, which then comes sooner

    spec, out, font_path, font_index, vector = req
    cached_chart(spec, out, font_path, font_index, vector=vector)


def _child(requests: int, replies: int) -> None:
    """Load matplotlib now, then draw each chart asked for until the build process goes away."""
    try:
        # Below the build process: where the processors are busy anyway, a build whose charts all
        # come from the cache must not lose time to an import it will not use.
        os.nice(5)
    except OSError:
        pass
    try:
        import briefgen.charts.render  # noqa: F401  # the import this process exists to pay for early
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
        caught: list[warnings.WarningMessage] = []
        ok = True
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _draw(req)
        except BaseException:  # noqa: BLE001 - the build process redraws it and reports the error itself
            ok = False
        try:
            _send(replies, (ok, _notes(caught)))
        except BaseException:  # noqa: BLE001
            os._exit(0)


def _abs(p: Path | None) -> Path | None:
    return None if p is None else Path(os.path.abspath(p))


class ChartHelper:
    """The build process's end of the helper (one build per helper)."""

    def __init__(self, pid: int, requests: int, replies: int):
        self.pid = pid
        self.requests = requests
        self.replies = replies
        self.alive = True
        self.pending: list[Request] = []  # sent, their answers not yet taken, in order
        self.answers: list[Any] = []  # read by the reader thread; None at the end of the pipe
        self.taken = 0
        self.cond = threading.Condition()
        self.reader: threading.Thread | None = None
        self.shown: set[Note] = set()

    def submit(self, spec: Any, out: Path | None, font_path: Path | None, font_index: int,
               vector: Path | None) -> None:
        """Ask for one chart: copied from the cache here, else sent to the helper, else (the
        helper is gone) drawn here at once."""
        from briefgen.charts.cache import restore  # local: imported after the fork, which then comes sooner

        req: Request = (spec, _abs(out), _abs(font_path), font_index, _abs(vector))
        if restore(spec, req[1], req[2], font_index, vector=req[4]):
            return
        if self.alive:
            if self.reader is None:
                self.reader = threading.Thread(target=self._read, name="chart-helper-replies", daemon=True)
                self.reader.start()
            try:
                _send(self.requests, req)
                self.pending.append(req)
                return
            except (OSError, pickle.PicklingError):
                self._take_over()  # the charts still owed are drawn here first, in order
        self._draw_here(req)

    def wait(self) -> None:
        """Every chart asked for is on disk (or its error raised, as in-process); warnings are
        raised in the order the charts were asked for."""
        self._settle(len(self.pending))

    def wait_for(self, path: Path) -> None:
        """The chart drawing into `path` (PNG or vector file) is on disk, and every chart asked
        for before it, as :meth:`wait` says; nothing to wait for when no chart still owed draws
        into `path` (a cache hit, or waited for already). A writer calls it as it reaches a chart."""
        p = _abs(path)
        for i, req in enumerate(self.pending):
            if p in (req[1], req[4]):
                self._settle(i + 1)
                return

    def _settle(self, upto: int) -> None:
        """Take the answers of the first `upto` charts still owed, in order; on any trouble
        every chart still owed is drawn here (which raises what the in-process drawing raises)."""
        for _ in range(min(upto, len(self.pending))):
            reply = self._next_reply()
            if reply is None or not reply[0]:
                self._take_over()
                return
            self.pending.pop(0)
            self._show(reply[1])

    def _read(self) -> None:
        """The reader thread: every reply into `answers` as it comes (the helper never blocks)."""
        while True:
            try:
                reply = _recv(self.replies)
            except Exception:  # noqa: BLE001 - a broken or garbled pipe ends the helper's use
                reply = None
            with self.cond:
                self.answers.append(reply)
                self.cond.notify_all()
            if reply is None:
                return

    def _next_reply(self) -> Any:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.answers) > self.taken, REPLY_TIMEOUT):
                return None  # stuck: drawn here instead
            reply = self.answers[self.taken]
            if reply is not None:
                self.taken += 1
            return reply

    def _take_over(self) -> None:
        """Stop using the helper and draw every chart still owed here, in order."""
        self._stop()
        pending, self.pending = self.pending, []
        for req in pending:
            self._draw_here(req)

    def _draw_here(self, req: Request) -> None:
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _draw(req)
        finally:
            self._show(_notes(caught))

    def _show(self, notes: list[Note]) -> None:
        for note in notes:
            if note not in self.shown:  # as Python's default filter: once per place and text
                self.shown.add(note)
                warnings.warn_explicit(*note)

    def _stop(self) -> None:
        """Kill the helper (idle or not: nothing of it is needed any more) and close the pipes."""
        if not self.alive:
            return
        self.alive = False
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        try:
            os.close(self.requests)
        except OSError:
            pass
        if self.reader is not None:
            self.reader.join(5)  # the pipe's far end died with the helper: it sees the end at once
            if self.reader.is_alive():
                return  # never close a descriptor a thread still reads (its number could be reused)
        try:
            os.close(self.replies)
        except OSError:
            pass

    def close(self) -> None:
        """End the helper (the build is over or failed)."""
        global _CURRENT
        self._stop()
        self.pending = []
        if _CURRENT is self:
            _CURRENT = None


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
