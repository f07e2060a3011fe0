"""数据核对 end to end: every number of every example, read back from the PDF and the DOCX,
stands in the audit workbook with a source; `briefgen check` finds a figure edited by hand.

The documents are read with pdfplumber and python-docx and the workbook with openpyxl,
not with briefgen's own readers, so the test checks the workbook a person would open.
"""

import difflib
import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import docx
import pdfplumber
import pytest
import yaml
from click.testing import CliRunner
from docx.oxml.ns import qn
from openpyxl import load_workbook

from briefgen import provenance
from briefgen.audit import collect
from briefgen.cli import main
from briefgen.errors import BriefgenError
from briefgen.pipeline import build, check_document, make_builder
from scenarios import VARIANTS, load_example, scenario_data
from support import ROOT

EXAMPLES = sorted(p.parent.name for p in (ROOT / "seeds").glob("*/briefing.yaml"))
NUMBER = re.compile(r"(?:(?<![0-9A-Za-z.])[−-])?\d+(?:,\d{3})*(?:\.\d+)?")
#: Printed numbers that are no figures of the data: not counted, but listed.
EXCEPTED = {"时间", "期号", "图表编号", "序号", "坐标轴刻度"}
#: The county example counts rising and falling counties with Jinja counters in its own template
#: ({% set ns.up = ns.up + 1 %}): numbers nobody can trace to a cell, and the audit says so.
# Numbers a template computes itself (counters, `| length`) have no source cell; the shipped examples
# print every such count through the phrase vocabulary (regions_count), which traces them.
UNTRACEABLE: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    return {name: build(ROOT / "seeds" / name / "briefing.yaml", out, audit=True) for name in EXAMPLES}


def _rows(path):
    ws = load_workbook(path)["数字核对"]
    values = list(ws.iter_rows(values_only=True))
    head = {h: i for i, h in enumerate(values[0])}
    return [{k: (r[i] if r[i] is not None else "") for k, i in head.items()} for r in values[1:]]


def _docx_numbers(path):
    """(number, text around it) of a DOCX: paragraphs, table cells and text boxes in order."""
    d = docx.Document(str(path))
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    out = []
    for p in d.element.body.iter(qn("w:p")):
        if any(a.tag == fallback for a in p.iterancestors()):
            continue  # the VML copy of a text box
        own = []
        for t in p.iter(qn("w:t")):
            anc = t.getparent()
            while anc is not None and anc.tag != qn("w:p"):
                anc = anc.getparent()
            if anc is p:
                own.append(t.text or "")
        text = "".join(own)
        out += [(m.group(), text) for m in NUMBER.finditer(text)]
    return out


def _pdf_numbers(path):
    """(number, line) of a PDF, upright text line by line, turned chart labels column by column."""
    out = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            upright = page.filter(lambda o: o.get("upright", True))
            for line in (upright.extract_text() or "").splitlines():
                if re.fullmatch(r"\s*—\s*\d+\s*—\s*", line):
                    continue  # the page number
                out += [(m.group(), line) for m in NUMBER.finditer(line)]
            cols = {}
            for c in page.chars:
                if not c["upright"]:
                    cols.setdefault(round(c["x0"]), []).append(c)
            for _x, cs in sorted(cols.items()):
                text = "".join(c["text"] for c in sorted(cs, key=lambda c: -c["top"]))
                out += [(m.group(), text) for m in NUMBER.finditer(text)]
    return out


def _coverage(numbers, rows):
    """Each number of the document aligned to a row of the workbook (in order, then anywhere)."""
    # The PDF's 续表1 over the second page of a table is the writer's, not the document's.
    carried = [(n, t) for n, t in numbers if re.fullmatch(r"续表\d+", t.strip())]
    numbers = [(n, t) for n, t in numbers if not re.fullmatch(r"续表\d+", t.strip())]
    sm = difflib.SequenceMatcher(None, [n for n, _t in numbers], [r["文中数字"] for r in rows], autojunk=False)
    pair = {}
    for a, b, n in sm.get_matching_blocks():
        pair.update({a + k: b + k for k in range(n)})
    used = set(pair.values())
    for i, (n, _t) in enumerate(numbers):
        if i not in pair:
            j = next((j for j, r in enumerate(rows) if j not in used and r["文中数字"] == n), None)
            if j is not None:
                pair[i] = j
                used.add(j)
    out = {"printed": len(numbers) + len(carried), "found": 0, "excepted": Counter({"图表编号": len(carried)}),
           "untraced": [], "missing": []}
    for i, (n, text) in enumerate(numbers):
        if i not in pair:
            out["missing"].append((n, text))
            continue
        r = rows[pair[i]]
        if r["类别"] in EXCEPTED:
            out["excepted"][r["类别"]] += 1
        elif r["数据来源"].strip():
            out["found"] += 1
        else:
            out["untraced"].append((n, r["上下文"]))
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_number_in_both_documents_has_a_source_in_the_workbook(built, name, capsys):
    result = built[name]
    assert result.audit is not None and result.audit.name == f"{name}.audit.xlsx" and result.audit.is_file()
    rows = _rows(result.audit)
    docx_path, pdf_path = (p for p in result.outputs if p.suffix in (".docx", ".pdf"))
    report = []
    for fmt, numbers, media in (("DOCX", _docx_numbers(docx_path), {"正文"}),
                                ("PDF", _pdf_numbers(pdf_path), {"正文", "图（PDF 文字）"})):
        cov = _coverage(numbers, [r for r in rows if r["出现在"] in media])
        assert not cov["missing"], f"{name} {fmt}: numbers not in the audit workbook: {cov['missing']}"
        untraced = {(name, n) for n, _c in cov["untraced"]}
        assert untraced <= UNTRACEABLE, f"{name} {fmt}: no source: {cov['untraced']}"
        counted = cov["printed"] - sum(cov["excepted"].values())
        assert cov["found"] + len(cov["untraced"]) == counted
        assert counted >= 10, (fmt, cov)
        report.append(f"{name} {fmt}: {cov['found']}/{counted} = {cov['found'] / counted:.1%}"
                      f"（另有不计入的 {dict(cov['excepted'])}；无来源 {[n for n, _c in cov['untraced']]}）")
    with capsys.disabled():
        print("\n" + "\n".join(report))
    # What has no source is said in the workbook: 未溯源, and a line in 警告.
    flagged = {r["文中数字"] for r in rows if r["类别"] == "未溯源"}
    assert flagged == {n for e, n in UNTRACEABLE if e == name}
    warnings = [r[1] for r in load_workbook(result.audit)["警告"].iter_rows(min_row=2, values_only=True)]
    assert all(any(f"数字 {n} 未能溯源" in (w or "") for w in warnings) for n in flagged)


def test_the_workbook_is_laid_out_for_checking(built):
    result = built["yichang-2021"]
    wb = load_workbook(result.audit)
    assert wb.sheetnames == ["数字核对", "公布值与计算值", "数据源", "警告"]
    ws = wb["数字核对"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["D"].width > 30 and ws.column_dimensions["A"].width < 10
    rows = _rows(result.audit)
    # 857 in the text: read from the CSV, line and column named, the file linked.
    hte = next(r for r in rows if r["文中数字"] == "857" and "总数达到" in r["上下文"])
    assert hte["计算方法"] == "读取数据" and hte["地区"] == "宜昌市" and hte["时期"] == "2021年"
    assert "indicators.csv：第5行第4列" in hte["数据来源"] and hte["数值（舍入前）"] == 857
    link = next(c for c in ws["N"] if c.value == hte["来源文件"]).hyperlink
    assert link is not None and link.target.endswith("indicators.csv")
    # 32.8: the published growth used instead of the computed one, both values and the three cells.
    g = next(r for r in rows if r["文中数字"] == "32.8" and r["所在"].startswith("表1"))
    assert g["计算方法"] == "采用统计部门公布的同比增速（按数据计算为 33.9063，公布值比计算值低 1.1063）"
    assert g["数据来源"].count("indicators.csv") == 3 and "公布增速" in g["数据来源"]
    # 17.40: a formula with its operands.
    share = next(r for r in rows if r["文中数字"] == "17.40" and r["所在"].startswith("表1"))
    assert share["计算方法"] == "公式 hti / gdp * 100" and "gdp 5022.69" in share["运算数"]
    # 36.8%: a share of two values, one of them the province's.
    s = next(r for r in rows if r["文中数字"] == "36.8")
    assert s["计算方法"].startswith("占比") and "innovation.yaml" in s["数据来源"]
    # A chart label drawn in the PDF, and an axis tick that is no figure.
    assert any(r["所在"].startswith("图1 数据标签") and r["文中数字"] == "1172" for r in rows)
    assert any(r["类别"] == "坐标轴刻度" for r in rows)
    # Published against computed: every pair, the disagreeing ones first.
    diffs = list(wb["公布值与计算值"].iter_rows(min_row=2, values_only=True))
    assert diffs[0][0] == "hte · 高新技术企业总数" and diffs[0][4] == 32.8 and round(diffs[0][5], 4) == 33.9063
    assert diffs[0][7].startswith("不一致")
    # Files read, with their SHA-256.
    files = {r[0]: r for r in wb["数据源"].iter_rows(min_row=2, values_only=True)}
    csv = next(k for k in files if k.endswith("indicators.csv"))
    assert files[csv][4] == hashlib.sha256(Path(csv).read_bytes()).hexdigest() and files[csv][1] == "数据文件"
    assert any(v[1] == "配置" for v in files.values())
    # The build's warnings.
    warn = [r[1] for r in wb["警告"].iter_rows(min_row=2, values_only=True)]
    assert set(result.warnings) <= set(warn)


def _edit_docx(src, dst, old, new, where):
    d = docx.Document(str(src))
    for p in d.paragraphs:
        for r in p.runs:
            if where in p.text and old in r.text:
                r.text = r.text.replace(old, new, 1)
                d.save(str(dst))
                return
    raise AssertionError(f"{old} not found")


def test_check_finds_a_figure_edited_by_hand(built, tmp_path):
    src = next(p for p in built["yichang-2021"].outputs if p.suffix == ".docx")
    edited = tmp_path / "edited.docx"
    _edit_docx(src, edited, "857", "875", "高新技术企业总数达到")
    config = ROOT / "seeds" / "yichang-2021" / "briefing.yaml"
    r = CliRunner().invoke(main, ["check", str(edited), "--config", str(config)])
    assert r.exit_code == 1, r.output
    out = r.output
    assert "与数据不符：二、加快培育创新主体，高新技术企业总数突破850家 › （一）高新技术企业量质齐升 · 第1段" in out
    assert "全市高新技术企业总数达到【875】家" in out
    assert "文中为 875，数据为 857（高新技术企业总数 · 宜昌市 · 2021年" in out
    assert "indicators.csv：第5行第4列" in out
    assert out.count("✗ 与数据不符") == 1  # the table and the other sentences still say 857
    # The same document before the edit passes.
    r = CliRunner().invoke(main, ["check", str(src), "--config", str(config)])
    assert r.exit_code == 0, r.output
    assert "核对通过" in r.output


@pytest.mark.parametrize("name", EXAMPLES)
def test_unedited_documents_pass(built, name):
    config = ROOT / "seeds" / name / "briefing.yaml"
    for path in built[name].outputs:
        if path.suffix in (".docx", ".pdf"):
            rep = check_document(path, config)
            assert rep.ok, [(f.kind, f.where, f.found and f.found.context) for f in rep.errors]
            assert not [f for f in rep.findings if f.severity == "warning"], rep.findings
            assert rep.figures and rep.confirmed + rep.excepted + rep.untraced == rep.figures
            assert rep.untraced == len([1 for e, _n in UNTRACEABLE if e == name])


def test_check_reports_table_cells_added_and_removed_figures(built, tmp_path):
    src = next(p for p in built["yichang-2021"].outputs if p.suffix == ".docx")
    config = ROOT / "seeds" / "yichang-2021" / "briefing.yaml"
    d = docx.Document(str(src))
    cell = d.tables[0].rows[4].cells[2]  # 高新技术产业增加值, 2021年: 874.1
    assert cell.text == "874.1"
    cell.paragraphs[0].runs[0].text = "874.10"  # the same value with two decimals: a note only
    d.tables[0].rows[3].cells[3].paragraphs[0].runs[0].text = "814"  # 科技型中小企业入库数 2020年: was 840
    body = next(p for p in d.paragraphs if "夜学" in p.text)
    body.runs[-1].text += "全年接待来访群众300人次。"  # a figure nobody can vouch for
    gone = next(p for p in d.paragraphs if "撬动企业科研项目投入" in p.text)
    for run in gone.runs:
        run.text = re.sub(r"\d+(\.\d+)?", "若干", run.text)
    edited = tmp_path / "t.docx"
    d.save(str(edited))
    rep = check_document(edited, config)
    kinds = Counter((f.kind, f.severity) for f in rep.findings)
    assert kinds[("reformatted", "note")] == 1 and kinds[("added", "error")] == 1
    assert kinds[("changed", "error")] == 1 and kinds[("missing", "warning")] >= 4
    changed = next(f for f in rep.findings if f.kind == "changed")
    assert changed.found.text == "814" and changed.row.printed == "840"
    assert "表1 第3行第4列（科技型中小企业入库数 · 2020年）" in changed.where and "第1个表格第4行第4列" in changed.where
    assert "数据为 840" in changed.data_says()
    added = next(f for f in rep.findings if f.kind == "added")
    assert added.found.text == "300"
    r = CliRunner().invoke(main, ["check", str(edited), "--config", str(config), "--quiet"])
    assert r.exit_code == 1 and "缺少的数字" not in r.output and "814" in r.output


def test_check_of_a_pdf_reads_its_chart_labels(built):
    """A PDF's vector charts are text: their labels are checked too, and their ticks are no figures."""
    pdf = next(p for p in built["tongji-2022-06"].outputs if p.suffix == ".pdf")
    rep = check_document(pdf, ROOT / "seeds" / "tongji-2022-06" / "briefing.yaml")
    assert rep.ok and rep.figures > 200


def test_audit_from_the_config_and_the_command_line(tmp_path):
    seed = tmp_path / "seed"
    shutil.copytree(ROOT / "seeds" / "zhengwu-2022-15", seed)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    cfg = seed / "briefing.yaml"
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "a"), "--format", "docx"])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "a" / "zhengwu-2022-15.audit.xlsx").exists()
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "b"), "--format", "docx", "--audit"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "b" / "zhengwu-2022-15.audit.xlsx").is_file() and "数据核对：文中数字" in r.output
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\naudit: true\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "c"), "--format", "pdf"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["zhengwu-2022-15.audit.xlsx",
                                                                  "zhengwu-2022-15.pdf"]


def test_audit_is_written_with_the_outputs_or_not_at_all(tmp_path, monkeypatch):
    import briefgen.audit.workbook as wb

    def broken(audit, out):
        Path(out).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wb, "write_workbook", broken)
    with pytest.raises(BriefgenError, match="磁盘空间已满"):
        build(ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml", tmp_path, ["docx"], audit=True)
    assert list(tmp_path.iterdir()) == []


def test_batch_manifest_lists_each_audit(tmp_path):
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(yaml.safe_dump({
        "output": str(tmp_path / "out"), "formats": ["docx"], "audit": True,
        "jobs": [{"config": str(ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml"), "output": "zhengwu"},
                 {"config": str(ROOT / "seeds" / "yichang-2021-report" / "briefing.yaml"), "output": "report",
                  "audit": False}],
    }, allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(main, ["batch", str(jobs), "--jobs", "1"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    entries = {k: v["files"] for k, v in manifest["outputs"].items()}
    audited = next(v for k, v in entries.items() if "zhengwu" in k)
    assert audited["audit"]["path"] == "zhengwu.audit.xlsx" and len(audited["audit"]["sha256"]) == 64
    assert (tmp_path / "out" / audited["audit"]["path"]).is_file()
    assert "audit" not in next(v for k, v in entries.items() if "report" in k)
    # Deleting the workbook makes the job out of date.
    (tmp_path / "out" / audited["audit"]["path"]).unlink()
    r = CliRunner().invoke(main, ["batch", str(jobs), "--jobs", "1"])
    assert r.exit_code == 0 and (tmp_path / "out" / audited["audit"]["path"]).is_file()


def test_check_refuses_what_it_cannot_read(tmp_path):
    config = ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml"
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"not a zip")
    for path, message in ((bad, "无法读取 Word 文档"), (tmp_path / "x.txt", "找不到要检查的文档")):
        r = CliRunner().invoke(main, ["check", str(path), "--config", str(config)])
        assert r.exit_code == 1 and message in r.output and "Traceback" not in r.output
    (tmp_path / "y.odt").write_bytes(b"x")
    r = CliRunner().invoke(main, ["check", str(tmp_path / "y.odt"), "--config", str(config)])
    assert r.exit_code == 1 and "只能检查 .docx 或 .pdf" in r.output
    (tmp_path / "z.pdf").write_bytes(b"%PDF-1.4 broken")
    r = CliRunner().invoke(main, ["check", str(tmp_path / "z.pdf"), "--config", str(config)])
    assert r.exit_code == 1 and "无法读取 PDF" in r.output and "Traceback" not in r.output


MOVES = ["original", "down30", "flat", "zeros", "no_previous", "below_target", "lost_rank", "net_negative", "mixed0"]


@pytest.mark.parametrize("scenario", MOVES)
def test_figures_stay_traced_when_the_data_move(scenario):
    """Falls, flats, zeros, no previous year, below target, a lost rank, net increases turning
    negative: every figure the document prints is still matched to the value that printed it."""
    for path, over in VARIANTS:
        ex = load_example(path, over)
        with provenance.recording():
            builder = make_builder(ex.cfg, None, None, scenario_data(ex, scenario))
            doc = builder.build()
        audit = collect(doc, ex.cfg, builder.book)
        bad = [(r.part, r.context) for r in audit.rows if r.category == "未溯源"
               or r.category == "数据" and r.prov is None]
        assert not bad, f"{ex.name}/{scenario}: {bad}"
        data = [r for r in audit.rows if r.category == "数据"]
        assert data and all(r.value is not None for r in data)
        if scenario == "original":
            assert all(r.sources for r in data)
