"""A regions table with many columns, read back from the PDF and the DOCX: set in a smaller
size rather than break a place name, a number or a header word; named by its caption when
even that is not enough."""

from __future__ import annotations

import shutil

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from briefgen.layout import MM
from briefgen.pipeline import build
from support import ROOT

SEED = ROOT / "seeds" / "kejiju-county-2022-09"
REGIONS = ["全市", "夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市",
           "远安县", "兴山县", "秭归县", "长阳土家族自治县", "五峰土家族自治县"]
SEED_COLUMNS = """          - {metric: gdp, show: [value, yoy]}
          - {metric: hti, show: [value, yoy, rank]}"""
CAPTION = "2022年1—9月各县市区主要科技经济指标"


def _variant(tmp_path, name: str, columns: str):
    """The seed with the regions table's columns replaced, built on a bare server."""
    folder = tmp_path / name
    shutil.copytree(SEED, folder)
    cfg = folder / "briefing.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert SEED_COLUMNS in text
    cfg.write_text(text.replace(SEED_COLUMNS, columns), encoding="utf-8")
    return build(cfg, folder / "out")


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """Ten columns: too wide for 小四 with whole header words, not for 小五."""
    tmp = tmp_path_factory.mktemp("wide")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    try:
        result = _variant(tmp, "ten", """          - {metric: gdp, show: [value, yoy]}
          - {metric: hti, show: [value, yoy, rank]}
          - {metric: contract, show: [value, yoy]}""")
    finally:
        mp.undo()
    return result, tmp / "ten" / "out" / "kejiju-county-2022-09"


def _pdf_region_table(path) -> tuple[list[list[str]], set[float]]:
    """The regions table's rows (cells as pdfplumber reads them: "\\n" where a cell wraps),
    over every page it spans, and the sizes of its text."""
    rows: list[list[str]] = []
    sizes: set[float] = set()
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for t in page.find_tables():
                got = t.extract()
                if got and len(got[0]) >= 8:
                    rows += got if not rows else got[1:]  # the header repeated on a later page
                    sizes |= {round(c["size"], 1) for c in page.crop(t.bbox).chars}
    return rows, sizes


def test_wide_table_is_set_smaller_with_every_name_and_number_whole(wide):
    result, base = wide
    assert not [w for w in result.warnings if "列数较多" in w]
    rows, sizes = _pdf_region_table(base.with_suffix(".pdf"))
    header, *body = rows
    assert len(header) == 10 and sizes == {9.0}  # 小五, head and cells alike
    assert [r[0] for r in body] == REGIONS  # no place name broken ("伍家\n岗区")
    broken = [c for r in body for c in r if c and "\n" in c]
    assert broken == []  # nor a number
    for h in header:
        for line in h.split("\n"):
            assert line.count("（") == line.count("）"), h  # never inside a unit


def test_wide_table_in_the_docx_has_the_same_size_and_room(wide):
    _, base = wide
    d = docx.Document(str(base.with_suffix(".docx")))
    table = next(t for t in d.tables if len(t.columns) == 10)
    sizes = {r.font.size for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs}
    assert sizes == {Pt(9)}
    grid = [int(c.get(qn("w:w"))) / 20 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == pytest.approx(156 * MM, abs=1)
    # Word's cell margins (0.19 cm a side) and 长阳土家族自治县 at 9 pt fit in the first column.
    assert grid[0] - 2 * 0.19 / 2.54 * 72 >= 8 * 9
    assert [row.cells[0].text for row in table.rows[1:]] == REGIONS


def test_seed_tables_keep_the_body_table_size(seed_build):
    """Tables that fit stay at 小四 (no size of their own in the DOCX)."""
    _, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    assert {r.font.size for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs
            for r in p.runs} == {None}


def test_a_table_that_cannot_fit_is_named_by_its_caption_once(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    result = _variant(tmp_path, "twelve", """          - {metric: gdp, show: [value, prev, yoy]}
          - {metric: hti, show: [value, prev, yoy, rank]}
          - {metric: contract, show: [value, yoy]}""")
    said = [w for w in result.warnings if "列数较多" in w]
    assert len(said) == 1, said
    assert f"表2“{CAPTION}”" in said[0] and "等指标的地区表" not in said[0]
    assert "tables[0]" in said[0]  # where in the config
