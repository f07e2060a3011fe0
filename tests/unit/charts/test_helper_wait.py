"""The build process's end of the chart helper: a writer waits for one chart at a time (issue #14)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from briefgen.charts import helper as chart_helper
from briefgen.errors import BriefgenWarning


def test_wait_for_takes_the_answers_up_to_that_chart(tmp_path):
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    h = chart_helper.ChartHelper(os.getpid(), req_w, rep_r)
    try:
        outs = [tmp_path / f"c{i}.png" for i in range(3)]
        for i, out in enumerate(outs):
            h.submit(f"spec{i}", out, None, 0, out.with_suffix(".vec.json"))
        for i in range(2):  # the helper has drawn the first two
            chart_helper._send(rep_w, (True, [(f"图{i}有警告", BriefgenWarning, "x.py", 1)]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h.wait_for(outs[1].with_suffix(".vec.json"))  # the second chart's vector file
            h.wait_for(outs[0])  # waited for already: returns at once
            h.wait_for(Path(tmp_path / "other.png"))  # no chart of this helper
        assert [str(w.message) for w in caught] == ["图0有警告", "图1有警告"]  # in chart order
        assert [req[1] for req, _ in h.pending] == [outs[2]]
        chart_helper._send(rep_w, (True, []))
        h.wait()
        assert h.pending == []
    finally:
        for fd in (req_r, req_w, rep_r, rep_w):
            os.close(fd)
