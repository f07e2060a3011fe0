"""``briefgen check``: the figures of an edited document against a fresh build's audit.

The document's figures and the audit's rows are aligned as two sequences (longest
common runs first, so a paragraph moved by a float or a chart label read out of
order still finds its row); what is left pairs up within the stretch it stands in
(a figure changed), or stays alone (added to the document, or gone from it).

A changed figure that comes from the data contradicts the data: an error, and
``briefgen check`` exits 1. A figure written with other decimals but the same value
(874.10 for 874.1) is a note; a changed year, 期号 or a number typed in the
template is a warning; a figure added to the document that the data do not hold
is an error too, since nobody can vouch for it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import zh
from briefgen.audit.reading import Found, parse_figure
from briefgen.audit.rows import EXCEPTED, TEXT, VECTOR, Audit, Row, described, method_text, sources_text, value_text

__all__ = ["Finding", "CheckReport", "compare", "media_for"]


@dataclass
class Finding:
    """One difference between the document and the data."""

    kind: str  # changed · reformatted · added · missing
    severity: str  # error · warning · note
    found: Found | None
    row: Row | None

    @property
    def where(self) -> str:
        """Where it stands: the section and block (from the build) and the place in the document."""
        parts = []
        if self.row is not None:
            parts.append(f"{self.row.where} · {self.row.part}")
        if self.found is not None:
            parts.append(f"文档{self.found.place}")
        return "；".join(parts)

    def data_says(self) -> str:
        """What the data say about the figure (value, what it is, how obtained, source cells)."""
        r = self.row
        if r is None:
            return ""
        p = r.prov
        if p is None:
            src = sources_text(r.sources).replace("\n", "；")
            return f"应为 {r.printed}（{method_text(None, r)}{'；来源：' + src if src else ''}）"
        what = described(p)
        src = sources_text(r.sources, limit=4).replace("\n", "；")
        return (f"数据为 {r.printed}（{what}，舍入前 {value_text(p.value)}；{method_text(p, r)}"
                f"{'；来源：' + src if src else ''}）")


@dataclass
class CheckReport:
    """The outcome of one check."""

    document: Path
    config: Path
    figures: int  # figures found in the document (page numbers left out)
    confirmed: int  # figures equal to a figure of the data (or config, or template)
    excepted: int  # years, 期号, figure numbers … that are no data
    findings: list[Finding] = field(default_factory=list)
    untraced: int = 0  # figures as built, but the build could not say where they came from

    @property
    def errors(self) -> list[Finding]:
        """Figures that contradict the data (or that nothing in the data vouches for)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def media_for(document: Path) -> set[str]:
    """Which rows a document's text shows: a DOCX its text (Word charts hold their own numbers),
    a PDF also the text of its vector charts."""
    return {TEXT, VECTOR} if Path(document).suffix.lower() == ".pdf" else {TEXT}


def _agrees(found: Found, row: Row) -> bool:
    """The document writes the same value with other decimals (874.10 for 874.1, 33 for 32.8 is not)."""
    got = found.value
    want = parse_figure(row.printed)
    if got is None or want is None:
        return False
    decimals = len(found.text.split(".")[1]) if "." in found.text else 0
    for v in (want, *((row.prov.value, abs(row.prov.value)) if row.prov is not None else ())):
        if zh.round_to(v, decimals) == got and zh.round_to(got, max(decimals, _places(row.printed))) == \
                zh.round_to(want, max(decimals, _places(row.printed))):
            return True
    return False


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def compare(found: list[Found], audit: Audit, document: Path) -> CheckReport:
    """Align a document's figures with a fresh build's audit and say what differs."""
    media = media_for(document)
    doc = [f for f in found if f.category != "页码"]
    rows = [r for r in audit.rows if r.media in media]
    a = [f.text for f in doc]
    b = [r.printed for r in rows]
    # A year or a table number never stands for a figure of the data (续表1 is not the rank 1 beside it).
    sm = difflib.SequenceMatcher(None, [(t, f.category in EXCEPTED) for t, f in zip(a, doc)],
                                 [(t, r.category in EXCEPTED) for t, r in zip(b, rows)], autojunk=False)
    pair: dict[int, int] = {}
    for i, j, n in sm.get_matching_blocks():
        for k in range(n):
            pair[i + k] = j + k
    taken = set(pair.values())
    # Moved: the same figure elsewhere (a table floated past a paragraph, chart labels read in another order).
    scale = len(b) / max(len(a), 1)
    for i in range(len(a)):
        if i in pair:
            continue
        best = None
        for j in range(len(b)):
            if j not in taken and b[j] == a[i] and (best is None or abs(j - i * scale) < abs(best - i * scale)):
                best = j
        if best is not None and abs(best - i * scale) <= 40:
            pair[i] = best
            taken.add(best)
    findings: list[Finding] = []
    # Changed: what is left of a stretch where the document and the build differ, pair by pair.
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "replace":
            continue
        left = [i for i in range(i1, i2) if i not in pair]
        right = [j for j in range(j1, j2) if j not in taken]
        for i, j in zip(left, right):
            pair[i] = j
            taken.add(j)
            f, r = doc[i], rows[j]
            if f.text == r.printed:
                continue
            if r.category in EXCEPTED or f.category in EXCEPTED:
                findings.append(Finding("changed", "warning", f, r))
            elif _agrees(f, r):
                findings.append(Finding("reformatted", "note", f, r))
            elif r.category in ("模板原文", "未溯源"):
                findings.append(Finding("changed", "warning", f, r))
            else:
                findings.append(Finding("changed", "error", f, r))
    for i, f in enumerate(doc):
        if i not in pair:
            findings.append(Finding("added", "note" if f.category in EXCEPTED else "error", f, None))
    for j, r in enumerate(rows):
        if j not in taken and r.category not in EXCEPTED:
            findings.append(Finding("missing", "warning", None, r))
    order = {id(f): k for k, f in enumerate(doc)}
    findings.sort(key=lambda x: (order.get(id(x.found), -1) if x.found is not None else
                                 len(doc) + (x.row.seq if x.row else 0)))
    excepted_at = {i for i, f in enumerate(doc) if f.category in EXCEPTED or
                   (i in pair and rows[pair[i]].category in EXCEPTED)}
    confirmed = sum(1 for i, j in pair.items()
                    if i not in excepted_at and doc[i].text == rows[j].printed and rows[j].traced)
    excepted = len(excepted_at)
    untraced = sum(1 for i, j in pair.items()
                   if i not in excepted_at and doc[i].text == rows[j].printed and not rows[j].traced)
    return CheckReport(Path(document), audit.config, len(doc), confirmed, excepted, findings, untraced)
