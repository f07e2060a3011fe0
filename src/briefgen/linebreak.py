"""Chinese-aware line breaking and justification, independent of any output format.

reportlab's ``wordWrap='CJK'`` knows too few kinsoku characters and leaves the
slack of a justified CJK line at its end, so the PDF writer lays lines out with
:func:`break_paragraph` and draws every :class:`Placed` fragment itself.

Model
-----
The text is cut into *clusters*: one CJK character (or full-width punctuation
mark), one unbreakable Latin word / number / URL, or one space. ``"……"`` and
``"——"`` are single clusters, so they are neither split nor stretched.
Lines are filled greedily; a break that would start a line with a closing mark
or end one with an opening mark moves the preceding cluster(s) to the next line
(推出), and the shortened line is justified like any other.

Geometry
--------
* ``Placed.width`` is the natural width of the text; when drawn with
  ``charSpace = tracking`` the fragment advances ``width + tracking * len(text)``
  (tracking follows every character, the last one included).
* ``Placed.x`` and ``Line.natural`` are measured from the line's left edge with
  the indent included; ``Line.width`` is the full text width, so the slack of a
  line is ``Line.width - Line.natural``.
* Justified lines end exactly at ``Line.width``, tracking of the last character
  included.

Full-width punctuation keeps its full width (GB/T 9704 sets text on a
character grid); compression (标点挤压) would go into ``_Cluster.adv``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Hashable

__all__ = [
    "Span",
    "Placed",
    "Line",
    "break_paragraph",
    "char_class",
    "NO_LINE_START",
    "NO_LINE_END",
    "NUMBER_UNITS",
    "TOLERANCE",
]

#: Characters that must not begin a line (行首禁则).
NO_LINE_START = frozenset(
    "，。、；：？！）》」』】〕〉”’…—·％%,.;:?!)]}~〗－"
    "］｝｠〙〛｣､｡～‥・々〃‰"
)
#: Characters that must not end a line (行尾禁则).
NO_LINE_END = frozenset("（《「『【〔〈“‘([{〖［｛｟〘〚｢")
#: Unit characters kept on the line of a directly preceding number, chained: "2021年", "874.1亿元".
NUMBER_UNITS = frozenset("年月日号时分秒期位家个项亿万元%％‰")
#: Slack allowed when deciding whether a line is full (pt).
TOLERANCE = 0.01

# Two-character marks set as one unit (never split, never stretched).
_REPEATED = frozenset("…—⋯")
_NEWLINES = frozenset("\n\r\u2028\u2029")
# Spaces that must not become break opportunities or be dropped.
_GLUE_SPACES = frozenset("\u00a0\u2007\u202f\u2060\ufeff")
# Zero-width joiner and variation selectors belong to the preceding character.
_EXTENDERS = frozenset("\u200c\u200d")


@dataclass(frozen=True)
class Span:
    """A run of text in one style; ``style`` is opaque and passed back unchanged."""

    text: str
    style: Hashable


@dataclass
class Placed:
    """One drawable cluster at horizontal offset ``x`` (indent included)."""

    text: str
    style: Hashable
    x: float
    width: float


@dataclass
class Line:
    """A laid-out line; ``last`` lines (paragraph end or forced break) are not justified."""

    items: list[Placed]
    width: float
    natural: float
    last: bool


def char_class(ch: str) -> str:
    """Classify one character for line breaking.

    Returns one of ``'newline'``, ``'space'``, ``'mark'`` (combining / joiner),
    ``'open'`` (in :data:`NO_LINE_END`), ``'close'`` (in :data:`NO_LINE_START`),
    ``'digit'``, ``'latin'`` (any other character that builds words) or
    ``'cjk'`` (wide / full-width characters: ideographs, kana, hangul, U+3000).
    """
    if ch in _NEWLINES:
        return "newline"
    if ch in NO_LINE_END:
        return "open"
    if ch in NO_LINE_START:
        return "close"
    if ch in _GLUE_SPACES:
        return "latin"
    if ch in _EXTENDERS or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
        return "mark"
    if ch.isspace() and ch != "\u3000":
        return "space"
    if ch == "\u200b":
        return "space"  # zero-width space: an explicit break opportunity
    if unicodedata.category(ch).startswith("M"):
        return "mark"
    if "0" <= ch <= "9" or "\uff10" <= ch <= "\uff19":
        return "digit"
    # Full-width Latin letters build words, like their ASCII counterparts.
    if "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a":
        return "latin"
    if unicodedata.east_asian_width(ch) in ("W", "F") or ch == "\u3000":
        return "cjk"
    return "latin"


class _Cluster:
    __slots__ = ("text", "style", "kind", "width", "adv")

    def __init__(self, text: str, style: Hashable, kind: str) -> None:
        self.text = text
        self.style = style
        # 'word' (Latin/number/URL), 'cjk' (ideograph etc.), 'punct' (CJK
        # punctuation), 'space'
        self.kind = kind
        self.width = 0.0
        self.adv = 0.0


def _char_kinds(chars: list[tuple[str, Hashable]]) -> list[str]:
    """Token type per character: 'W' word, 'S' space, 'C' CJK, 'P' CJK punctuation, 'M' mark."""
    classes = [char_class(ch) for ch, _ in chars]
    kinds = []
    for i, (ch, _) in enumerate(chars):
        cls = classes[i]
        if cls == "space":
            kinds.append("S")
        elif cls == "mark":
            kinds.append("M")
        elif cls in ("latin", "digit"):
            kinds.append("W")
        elif cls == "cjk":
            kinds.append("C")
        elif ch.isascii():
            # ASCII punctuation sticks to its word: "1,000", "96.2%", "(see".
            kinds.append("W")
        elif (
            ch == "\u2019"
            and 0 < i < len(chars) - 1
            and classes[i - 1] in ("latin", "digit")
            and classes[i + 1] in ("latin", "digit")
        ):
            kinds.append("W")  # apostrophe inside an English word: don’t
        else:
            kinds.append("P")
    return kinds


def _tokenize(chars: list[tuple[str, Hashable]]) -> tuple[list[_Cluster], list[bool]]:
    """Cut one forced-break segment into clusters.

    ``joined[j]`` is true when cluster ``j`` continues cluster ``j-1`` as one unit
    that was only cut by a style change (or a stray mark): never broken, never stretched.
    """
    kinds = _char_kinds(chars)
    clusters: list[_Cluster] = []
    joined: list[bool] = []
    n = len(chars)
    i = 0
    while i < n:
        ch, style = chars[i]
        kind = kinds[i]
        prev = clusters[-1] if clusters else None
        if kind == "M" and prev is not None and prev.kind != "space":
            if prev.style == style:
                prev.text += ch
            else:
                clusters.append(_Cluster(ch, style, prev.kind))
                joined.append(True)
            i += 1
            continue
        j = i + 1
        if kind in ("W", "M"):
            while j < n and kinds[j] in ("W", "M") and chars[j][1] == style:
                j += 1
            ckind = "word"
            glue = prev is not None and prev.kind == "word" and kinds[i - 1] in ("W", "M")
        elif kind == "P" and ch in _REPEATED:
            while j < n and chars[j][0] == ch and chars[j][1] == style:
                j += 1
            ckind = "punct"
            glue = prev is not None and prev.text[-1] == ch
        else:
            ckind = {"S": "space", "C": "cjk", "P": "punct"}[kind]
            glue = False
        # Marks glued to the cluster they modify.
        while j < n and kinds[j] == "M" and chars[j][1] == style and ckind != "space":
            j += 1
        clusters.append(_Cluster("".join(c for c, _ in chars[i:j]), style, ckind))
        joined.append(glue)
        i = j
    return clusters, joined


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" or "\uff10" <= ch <= "\uff19"


def _break_flags(clusters: list[_Cluster], joined: list[bool]) -> list[bool]:
    """``brk[j]``: a line may end before cluster ``j`` (trailing spaces hang)."""
    n = len(clusters)
    brk = [False] * n
    last_solid = -1  # index of the latest non-space cluster
    in_number = False  # last_solid ends a number or a number's units ("874.1亿元")
    for j in range(n):
        cur = clusters[j]
        if cur.kind == "space":
            in_number = False
            continue
        adjacent = last_solid == j - 1
        unit = adjacent and in_number and cur.kind != "word" and cur.text in NUMBER_UNITS
        if j > 0 and last_solid >= 0 and not joined[j]:
            prev = clusters[last_solid]
            a, b = prev.text[-1], cur.text[0]
            ok = b not in NO_LINE_START and a not in NO_LINE_END and not unit
            if ok and adjacent and prev.kind == "word" and cur.kind == "word":
                ok = False
            brk[j] = ok
        in_number = unit or (cur.kind == "word" and _is_digit(cur.text[-1]))
        last_solid = j
    return brk


def _latin_gaps(clusters: list[_Cluster], amount: float) -> list[float]:
    """Extra space before each cluster at a CJK↔Latin letter/digit boundary."""
    gaps = [0.0] * len(clusters)
    if amount:
        for j in range(1, len(clusters)):
            a, b = clusters[j - 1], clusters[j]
            if (a.kind == "cjk" and b.kind == "word" and b.text[0].isalnum()) or (
                a.kind == "word" and a.text[-1].isalnum() and b.kind == "cjk"
            ):
                gaps[j] = amount
    return gaps


def break_paragraph(
    spans: list[Span],
    width: float,
    measure: Callable[[str, Hashable], float],
    *,
    first_indent: float = 0.0,
    tracking: float = 0.0,
    justify: bool = True,
    latin_gap: float | None = None,
) -> list[Line]:
    """Break styled text into justified lines of ``width`` pt.

    ``measure(text, style)`` gives the natural advance width. ``tracking`` is
    added after every character; for the GB/T 9704 grid of 28 characters of
    16 pt on a 442.2 pt line pass ``tracking = (width - 28 * 16) / 28`` so that
    exactly 28 full-width characters fit. ``first_indent`` applies to the first
    line only (not after ``"\\n"``, which is a line break, not a new paragraph);
    with negative tracking pass ``2 * (16 + tracking)``, not 32, to keep the
    first line on the 28-cell grid (32 pt costs one character).
    ``latin_gap`` is extra space between a CJK character and an adjacent Latin
    letter/digit cluster; ``None`` means 0, as official documents stay on the
    character grid. Newlines force unjustified line ends; leading spaces of a
    line are dropped and trailing ones hang past the edge (also dropped).
    A token wider than a whole line is cut by characters to fill lines; a
    chain with no legal break that outgrows a line is broken where it
    overflows (kinsoku gives way, the margin does not); only a single
    character wider than the line overflows, alone on its line.
    Returns ``[]`` for empty input; every other input yields at least one line.
    """
    gap_amount = 0.0 if latin_gap is None else float(latin_gap)
    cache: dict[tuple[str, Hashable], float] = {}

    def natural(text: str, style: Hashable) -> float:
        key = (text, style)
        w = cache.get(key)
        if w is None:
            w = cache[key] = float(measure(text, style))
        return w

    # Flatten the spans and cut at forced breaks; "\r\n" counts once.
    segments: list[list[tuple[str, Hashable]]] = [[]]
    any_text = False
    prev_cr = False
    for span in spans:
        for ch in span.text:
            any_text = True
            if ch in _NEWLINES:
                if not (ch == "\n" and prev_cr):
                    segments.append([])
                prev_cr = ch == "\r"
                continue
            prev_cr = False
            segments[-1].append((ch, span.style))
    if not any_text:
        return []

    lines: list[Line] = []
    for seg in segments:
        indent = first_indent if not lines else 0.0
        lines.extend(
            _layout_segment(seg, width, natural, indent, tracking, justify, gap_amount)
        )
    return lines


def _layout_segment(
    chars: list[tuple[str, Hashable]],
    width: float,
    natural: Callable[[str, Hashable], float],
    first_indent: float,
    tracking: float,
    justify: bool,
    gap_amount: float,
) -> list[Line]:
    clusters, joined = _tokenize(chars)
    for c in clusters:
        c.width = natural(c.text, c.style)
        c.adv = c.width + tracking * len(c.text)
    brk = _break_flags(clusters, joined)
    gaps = _latin_gaps(clusters, gap_amount)

    def split(idx: int, room: float, at_least_one: bool) -> bool:
        """Cut cluster ``idx`` so its head fits ``room``; the tail becomes ``idx + 1``."""
        c = clusters[idx]
        best = first = None
        for k in range(1, len(c.text)):
            if char_class(c.text[k]) == "mark":
                continue  # never separate a mark from its base
            if first is None:
                first = k
            if natural(c.text[:k], c.style) + tracking * k > room + TOLERANCE:
                break
            if c.text[k] in NO_LINE_START or c.text[k - 1] in NO_LINE_END:
                continue  # even a forced cut keeps 禁则 where the token allows it
            best = k
        if best is None:
            if first is None or not at_least_one:
                return False
            best = first
        tail = _Cluster(c.text[best:], c.style, c.kind)
        c.text = c.text[:best]
        for part in (c, tail):
            part.width = natural(part.text, part.style)
            part.adv = part.width + tracking * len(part.text)
        clusters.insert(idx + 1, tail)
        joined.insert(idx + 1, True)
        brk.insert(idx + 1, True)
        gaps.insert(idx + 1, 0.0)
        return True

    out: list[Line] = []
    n = len(clusters)
    s = 0
    indent = first_indent
    while True:
        while s < n and clusters[s].kind == "space":
            s += 1
        if s >= n:
            break
        avail = width - indent
        run = 0.0
        best = -1
        i = s
        while i < n:
            c = clusters[i]
            if i > s and brk[i]:
                best = i
            new = run + (gaps[i] if i > s else 0.0) + c.adv
            # Spaces never overflow: they hang if the line breaks after them.
            if c.kind != "space" and new > avail + TOLERANCE:
                break
            run = new
            i += 1
        if i >= n:
            out.append(_make_line(clusters, joined, gaps, s, n, width, indent, tracking, False, True))
            break
        c = clusters[i]
        room = avail - run - (gaps[i] if i > s else 0.0)
        if i > s and c.adv > width + TOLERANCE and split(i, room, False):
            # The token fits no line anyway: cut it here instead of leaving a
            # half-empty line stretched by justification.
            p = i + 1
        elif best > 0:
            p = best  # latest legal break; earlier than i means 推出
        elif i > s:
            # No legal break in reach (a long kinsoku chain): fill the line,
            # cutting a long token if it can, rather than run past the margin.
            p = i + 1 if split(i, room, False) else i
        else:
            # A single cluster wider than the line: cut it by characters, or
            # let an uncuttable one overflow alone.
            split(s, avail, True)
            p = s + 1
        n = len(clusters)
        out.append(_make_line(clusters, joined, gaps, s, p, width, indent, tracking, justify, False))
        s = p
        indent = 0.0
    if not out:
        out.append(Line(items=[], width=width, natural=first_indent, last=True))
    return out


def _make_line(
    clusters: list[_Cluster],
    joined: list[bool],
    gaps: list[float],
    start: int,
    end: int,
    width: float,
    indent: float,
    tracking: float,
    justify: bool,
    last: bool,
) -> Line:
    while end > start and clusters[end - 1].kind == "space":
        end -= 1
    idx = range(start, end)
    natural = indent + sum(clusters[k].adv for k in idx) + sum(gaps[k] for k in idx if k > start)
    # Pieces of one word split by a style change are not pulled apart.
    stretch = [k for k in idx if k > start and not joined[k]]
    extra = (width - natural) / len(stretch) if justify and stretch else 0.0
    items = []
    x = indent
    for k in idx:
        c = clusters[k]
        if k > start:
            x += gaps[k]
            if not joined[k]:
                x += extra
        items.append(Placed(text=c.text, style=c.style, x=x, width=c.width))
        x += c.adv
    return Line(items=items, width=width, natural=natural, last=last)
