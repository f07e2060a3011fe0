"""The DOCX writer's cost grows linearly with a table's rows (issue #14).

A test-sized version of bench/growth.py: instead of timing (which flakes on a shared
machine), it counts the Python function calls the writer makes for a table of n and of
4n rows. Linear work gives a factor of about 4; python-docx's ``table.rows[i]``, which
builds the list of every row on each call, made it grow with n².
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from docx import Document as ReadDocx

from briefgen.layout import resolve_style
from briefgen.model import DocMeta, Document, Table
from briefgen.writers import WriterOptions
from briefgen.writers.docx import DocxWriter


def _doc(n: int) -> Document:
    rows = [[f"地区{i:04d}", f"{i * 1.5:.1f}", f"{-i % 7 - 3:.1f}", str(i + 1)] for i in range(n)]
    table = Table(header=["地区", "数值", "增速", "位次"], rows=rows, caption="各地区指标", number="表1",
                  align=["left", "right", "right", "right"])
    return Document(meta=DocMeta(title="表格增长", organ="某局", date="2024年1月1日", kind="plain"), blocks=[table])


def _calls(writer: DocxWriter, doc: Document, out: Path) -> int:
    count = 0

    def prof(frame, event, arg):  # noqa: ARG001 - sys.setprofile's signature
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(prof)
    try:
        writer.write(doc, out)
    finally:
        sys.setprofile(None)
    return count


@pytest.fixture(scope="module")
def writer():
    w = DocxWriter(WriterOptions(resolve_style()))
    return w


def test_table_rows_cost_linear(tmp_path, writer):
    writer.write(_doc(10), tmp_path / "warm.docx")  # first-use costs (styles, imports) out of the count
    small = _calls(writer, _doc(60), tmp_path / "s.docx")
    large = _calls(writer, _doc(240), tmp_path / "l.docx")
    base = _calls(writer, _doc(0), tmp_path / "z.docx")
    factor = (large - base) / (small - base)
    print(f"growth factor {factor:.2f}")
    assert 3.0 < factor < 4.6, f"240 rows cost {factor:.2f}× the calls of 60 rows (linear: 4)"
    # and the table is all there, in order
    t = ReadDocx(str(tmp_path / "l.docx")).tables[0]
    assert len(t.rows) == 241
    assert [c.text for c in t.rows[240].cells] == ["地区0239", "358.5", "3.0", "240"]
