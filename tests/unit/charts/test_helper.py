"""The build process's end of the chart helper (issue #14 review): answers are read once and
in order, a failed chart is drawn in the build process with the rest after it, and a helper
that got nothing to do is killed, not waited for. A thread stands in for the helper process."""

from __future__ import annotations

import os
import threading
import time
import warnings

import pytest

from briefgen.charts import helper as mod

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")


def _fake_helper(monkeypatch, answers):
    """A ChartHelper whose far end is a thread answering request i with answers[i]."""
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    seen = []

    def serve():
        while True:
            req = mod._recv(req_r)
            if req is None:
                break
            seen.append(req[0])
            mod._send(rep_w, answers[len(seen) - 1])
        os.close(req_r)
        os.close(rep_w)

    pid = os.fork()
    if pid == 0:  # a stand-in process to kill; the thread below does the answering
        time.sleep(60)
        os._exit(0)
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    drawn = []
    monkeypatch.setattr(mod, "_draw", lambda req: drawn.append(req[0]) or warnings.warn(f"here {req[0]}", stacklevel=2))
    monkeypatch.setattr("briefgen.charts.cache.restore", lambda *a, **k: False)
    return mod.ChartHelper(pid, req_w, rep_r), seen, drawn, t


def _run(fn, seconds=20):
    box = []
    t = threading.Thread(target=lambda: box.append(fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "hangs"
    return box


def test_failed_chart_and_the_rest_drawn_here_in_order(monkeypatch):
    ok = (True, [])
    h, seen, drawn, t = _fake_helper(monkeypatch, [ok, (False, []), ok, (True, [("from helper", UserWarning,
                                                                                  "x.py", 1)])])
    for i in range(4):
        h.submit(i, None, None, 0, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(h.wait)
    # chart 1 failed over there: it and every later chart are drawn here, none read twice
    assert drawn == [1, 2, 3] and not h.alive
    assert [str(w.message) for w in caught] == ["here 1", "here 2", "here 3"]
    with warnings.catch_warnings(record=True):
        h.submit(4, None, None, 0, None)  # the helper is gone: drawn at once
    assert drawn == [1, 2, 3, 4]
    _run(h.close)


def test_unused_helper_is_killed_not_waited_for(monkeypatch):
    h, seen, drawn, t = _fake_helper(monkeypatch, [])
    monkeypatch.setattr("briefgen.charts.cache.restore", lambda *a, **k: True)  # every chart from the cache
    h.submit(0, None, None, 0, None)
    assert seen == [] and drawn == []
    _run(h.wait)
    t0 = time.monotonic()
    _run(h.close)
    assert time.monotonic() - t0 < 10  # the stand-in sleeps 60 s: it was killed
    with pytest.raises(ChildProcessError):
        os.waitpid(h.pid, os.WNOHANG)


def test_warnings_replayed_in_order(monkeypatch):
    notes = [(True, [(f"w{i}", UserWarning, "x.py", i)]) for i in range(3)]
    h, seen, drawn, t = _fake_helper(monkeypatch, notes)
    for i in range(3):
        h.submit(i, None, None, 0, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(h.wait)
    assert [str(w.message) for w in caught] == ["w0", "w1", "w2"] and seen == [0, 1, 2] and drawn == []
    _run(h.close)


def test_wait_for_takes_the_answers_up_to_that_chart(monkeypatch, tmp_path):
    # A writer waits for one chart as it reaches it: the answers up to that chart are taken,
    # their warnings raised in chart order; the rest stay owed until wait().
    notes = [(True, [(f"图{i}有警告", UserWarning, "x.py", 1)]) for i in range(3)]
    h, seen, drawn, t = _fake_helper(monkeypatch, notes)
    outs = [tmp_path / f"c{i}.png" for i in range(3)]
    for i, out in enumerate(outs):
        h.submit(i, out, None, 0, out.with_suffix(".vec.json"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(lambda: h.wait_for(outs[1].with_suffix(".vec.json")))  # the second chart's vector file
        _run(lambda: h.wait_for(outs[0]))  # waited for already: returns at once
        _run(lambda: h.wait_for(tmp_path / "other.png"))  # no chart of this helper
        assert [str(w.message) for w in caught] == ["图0有警告", "图1有警告"]
        assert [req[1] for req in h.pending] == [outs[2]]
        _run(h.wait)
    assert [str(w.message) for w in caught] == ["图0有警告", "图1有警告", "图2有警告"]
    assert h.pending == [] and drawn == []
    _run(h.close)
