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

Choosing the breaks
-------------------
Breaks are chosen for the whole paragraph at once (a shortest path over the
break opportunities, as in TeX), line costs following Chinese practice (W3C
clreq, GB/T 15834):

1. adjacent punctuation is always squeezed: "，“" keeps half an em between the
   marks, "）。" and "（“" none (标点挤压);
2. a line that is short of room first takes it from the blank half of the
   closing mark that ends it (挤进 at the line end) — the cheapest adjustment;
3. otherwise the slack is spread over the gaps between clusters, up to
   ``max_stretch`` per gap (a break one character earlier, its slack spread); a
   paragraph's last line is never stretched, and its last line should not hold a
   single character (孤字) if the lines above can take it or give it company;
4. only then is an isolated mark inside the line (a "，" or "、" between two
   characters) squeezed: squeezed alone it reads as a Latin comma, so that is
   dearer than any stretch within the cap, but cheaper than the last resorts
   (in a ragged or centred line — a title, a caption — it stays cheap: there
   the alternative is one more line);
5. then tokens move: breaks elsewhere in the paragraph, and as a last
   resort a number parted from its unit ("2021" / "年"); kinsoku gives way only
   where nothing else fits. A line whose slack still exceeds the cap keeps the
   capped gaps and ends short of the margin.

Geometry
--------
* ``Placed.width`` is the natural width of the text; ``Placed.advance`` is what
  it occupies on the line: ``width + tracking * len(text)`` less any blank
  squeezed out of a punctuation mark on its right (tracking follows every
  character, the last one included).
* ``Placed.x`` is where the text is drawn (a mark whose left blank is squeezed
  starts left of its cell); ``Placed.x`` and ``Line.natural`` are measured from
  the line's left edge with the indent included; ``Line.width`` is the full
  text width, so the slack of a line is ``Line.width - Line.natural``.
* Justified lines end exactly at ``Line.width``: ``last.x + last.advance``.
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
    "OPENING_MARKS",
    "CLOSING_MARKS",
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
#: Full-width marks whose blank sits on their left (opening brackets and quotes): compressible there.
OPENING_MARKS = frozenset("（《「『【〔〈“‘〖［｛〘")
#: Full-width marks whose blank sits on their right (closing brackets, ，。、：；！？ in the SC position).
CLOSING_MARKS = frozenset("）》」』】〕〉”’〗］｝〙，。、：；！？")
#: Slack allowed when deciding whether a line is full (pt).
TOLERANCE = 0.01

# Line costs (see "Choosing the breaks"): compression is cheapest, stretching up to the
# cap next, a number parted from its unit or a stretch past the cap far dearer, and
# a broken kinsoku rule only when nothing else fits.
_COST_LINE = 1.0
_COST_SQUEEZE = 0.5
_COST_STRETCH = 100.0
# Squeezing an isolated mark inside the line: dearer than the dearest stretch within
# the cap (_COST_STRETCH * 1.25 ** 2), cheaper than a number parted from its unit.
_COST_MID_SQUEEZE = 500.0
_COST_ORPHAN = 20.0
_COST_OVER_CAP = 10_000.0
_PENALTY_UNIT = 5_000.0
_PENALTY_TOKEN_KINSOKU = 100_000.0
_PENALTY_FORCED = 1_000_000.0

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
    """One drawable cluster drawn at horizontal offset ``x`` (indent included).

    ``advance`` is the room it takes on the line (see the module docstring); it
    defaults to ``width`` for callers that build items by hand.
    """

    text: str
    style: Hashable
    x: float
    width: float
    advance: float | None = None

    def __post_init__(self) -> None:
        if self.advance is None:
            self.advance = self.width


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
    __slots__ = ("text", "style", "kind", "width", "adv", "left", "right", "piece")

    def __init__(self, text: str, style: Hashable, kind: str, piece: bool = False) -> None:
        self.text = text
        self.style = style
        # 'word' (Latin/number/URL), 'cjk' (ideograph etc.), 'punct' (CJK
        # punctuation), 'space'
        self.kind = kind
        self.width = 0.0
        self.adv = 0.0
        # Compressible blank inside a full-width mark, left and right (pt).
        self.left = 0.0
        self.right = 0.0
        # Part of a token wider than a whole line, cut by characters.
        self.piece = piece


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


Blanks = Callable[[str, Hashable], "tuple[float, float]"]


def break_paragraph(
    spans: list[Span],
    width: float,
    measure: Callable[[str, Hashable], float],
    *,
    first_indent: float = 0.0,
    tracking: float = 0.0,
    justify: bool = True,
    latin_gap: float | None = None,
    blanks: Blanks | None = None,
    max_stretch: float | None = None,
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
    character grid.

    ``blanks(mark, style)`` gives the blank (pt) inside a full-width mark of
    :data:`OPENING_MARKS` / :data:`CLOSING_MARKS` that compression may take,
    left and right; by default half the mark's width on its open side when it
    is as wide as an ideographic space. ``max_stretch`` caps the space (pt)
    justification adds to one gap; ``None`` means no cap.

    Newlines force unjustified line ends; leading spaces of a line are dropped
    and trailing ones hang past the edge (also dropped). A token wider than a
    whole line is cut by characters to fill lines; a chain with no legal break
    that outgrows a line is broken where it overflows (kinsoku gives way, the
    margin does not); only a single character wider than the line overflows,
    alone on its line. Returns ``[]`` for empty input; every other input yields
    at least one line.
    """
    gap_amount = 0.0 if latin_gap is None else float(latin_gap)
    cache: dict[tuple[str, Hashable], float] = {}

    def natural(text: str, style: Hashable) -> float:
        key = (text, style)
        w = cache.get(key)
        if w is None:
            w = cache[key] = float(measure(text, style))
        return w

    def default_blanks(ch: str, style: Hashable) -> tuple[float, float]:
        w = natural(ch, style)
        if w <= 0 or w < 0.9 * natural("\u3000", style):
            return 0.0, 0.0
        return (w / 2, 0.0) if ch in OPENING_MARKS else (0.0, w / 2)

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

    setting = _Setting(width, natural, blanks or default_blanks, tracking, justify, gap_amount, max_stretch)
    lines: list[Line] = []
    for seg in segments:
        indent = first_indent if not lines else 0.0
        lines.extend(_layout_segment(seg, indent, setting))
    return lines


@dataclass
class _Setting:
    width: float
    natural: Callable[[str, Hashable], float]
    blanks: Blanks
    tracking: float
    justify: bool
    gap_amount: float
    max_stretch: float | None


def _split_wide(clusters: list[_Cluster], joined: list[bool], width: float, s: _Setting) -> None:
    """Cut every token wider than a whole line into characters (marks stay with their base)."""
    k = 0
    while k < len(clusters):
        c = clusters[k]
        if c.adv <= width + TOLERANCE or len(c.text) < 2:
            k += 1
            continue
        parts: list[str] = []
        for ch in c.text:
            if parts and char_class(ch) == "mark":
                parts[-1] += ch
            else:
                parts.append(ch)
        if len(parts) < 2:
            k += 1
            continue
        pieces = [_Cluster(t, c.style, c.kind, piece=True) for t in parts]
        for p in pieces:
            p.width = s.natural(p.text, p.style)
            p.adv = p.width + s.tracking * len(p.text)
        clusters[k:k + 1] = pieces
        joined[k + 1:k + 1] = [True] * (len(pieces) - 1)
        k += len(pieces)


def _squeezes(clusters: list[_Cluster]) -> list[float]:
    """``sq[j]``: blank removed between adjacent marks ``j-1`` and ``j`` when they share a line.

    A closing mark before an opening one keeps half an em between them (the larger of
    the two blanks); two closing or two opening marks keep none. What is used up is
    no longer compressible. An opening mark after a narrow character keeps its blank
    (squeezing it would draw the mark over that character).
    """
    sq = [0.0] * len(clusters)
    for j in range(1, len(clusters)):
        a, b = clusters[j - 1], clusters[j]
        if a.kind == "punct" and b.kind == "punct" and (a.right > 0 or b.left > 0):
            if a.text in CLOSING_MARKS and b.text in OPENING_MARKS:
                sq[j] = min(a.right, b.left)
            else:
                sq[j] = a.right + b.left
            a.right = b.left = 0.0
        elif b.left > 0 and a.adv - a.right - b.left < 1.0:
            b.left = 0.0
    return sq


def _layout_segment(chars: list[tuple[str, Hashable]], first_indent: float, s: _Setting) -> list[Line]:
    width = s.width
    clusters, joined = _tokenize(chars)
    for c in clusters:
        c.width = s.natural(c.text, c.style)
        c.adv = c.width + s.tracking * len(c.text)
        if c.kind == "punct" and len(c.text) == 1 and (c.text in OPENING_MARKS or c.text in CLOSING_MARKS):
            left, right = s.blanks(c.text, c.style)
            c.left = max(0.0, min(left, c.width / 2)) if c.text in OPENING_MARKS else 0.0
            c.right = max(0.0, min(right, c.width / 2)) if c.text in CLOSING_MARKS else 0.0
    _split_wide(clusters, joined, width, s)
    n = len(clusters)
    if n == 0:
        return [Line(items=[], width=width, natural=first_indent, last=True)]
    brk = _break_flags(clusters, joined)
    gaps = _latin_gaps(clusters, s.gap_amount)
    sq = _squeezes(clusters)
    pen = _penalties(clusters, joined, brk)

    # Prefix sums: every candidate line is then measured in constant time.
    adv_p, gap_p, sq_p, left_p, right_p, stretch_p, legal_p = ([0.0] * (n + 1) for _ in range(7))
    solid_end = [0] * (n + 1)  # solid_end[e]: end of [.., e) without trailing spaces
    for j, c in enumerate(clusters):
        adv_p[j + 1] = adv_p[j] + c.adv
        gap_p[j + 1] = gap_p[j] + gaps[j]
        sq_p[j + 1] = sq_p[j] + sq[j]
        left_p[j + 1] = left_p[j] + c.left
        right_p[j + 1] = right_p[j] + c.right
        stretch_p[j + 1] = stretch_p[j] + (0.0 if joined[j] else 1.0)
        legal_p[j + 1] = legal_p[j] + (1.0 if pen[j] == 0.0 else 0.0)
        solid_end[j + 1] = solid_end[j] if c.kind == "space" else j + 1
    next_solid = [n] * (n + 1)
    for j in range(n - 1, -1, -1):
        next_solid[j] = next_solid[j + 1] if clusters[j].kind == "space" else j

    # Stretching costs more as a gap nears the cap (0.8 of it), far more past it.
    cost_cap = (s.max_stretch * 0.8) if s.max_stretch else width / 112  # a quarter of a grid cell
    # The em of the text: the widest ideograph (a 28-cell grid's cell if there is none).
    em_guess = max((c.width for c in clusters if c.kind == "cjk"), default=width / 28)

    def measure_line(a: int, e: int, indent: float) -> tuple[float, float, float]:
        """(natural width, compressible blank, stretchable gaps) of clusters [a, e)."""
        nat = indent + adv_p[e] - adv_p[a] + gap_p[e] - gap_p[a + 1] - (sq_p[e] - sq_p[a + 1])
        comp = left_p[e] - left_p[a + 1] + right_p[e] - right_p[a]
        return nat, comp, stretch_p[e] - stretch_p[a + 1]

    def line_cost(a: int, e: int, indent: float, last: bool, first: bool) -> float:
        nat, comp, nstretch = measure_line(a, e, indent)
        avail = width
        cost = _COST_LINE
        if nat > avail + TOLERANCE:
            over = nat - avail
            if comp <= 0 or over > comp + TOLERANCE:
                return _PENALTY_FORCED  # only when a single cluster overflows alone
            end = clusters[e - 1].right if e > a else 0.0  # the line-end mark's blank
            cost += _COST_SQUEEZE
            if over <= end + TOLERANCE:
                return cost + (over / comp) ** 2
            mid = (over - end) / (comp - end)
            if not s.justify:
                # A ragged or centred line (title, caption) has no gaps to spread slack over:
                # the alternative is one more line, worse than a squeezed mark.
                return cost + (over / comp) ** 2
            return cost + _COST_MID_SQUEEZE * (1.0 + mid * mid)
        slack = avail - nat
        if last:
            if not first and _orphan(clusters, a, e, em_guess, s.justify):
                cost += _COST_ORPHAN
            return cost
        if not s.justify:
            return cost + 10.0 * (slack / width) ** 2
        per_gap = slack / max(1.0, nstretch)
        ratio = per_gap / cost_cap
        if ratio > 1.25:
            # Past the cap: dear, but bounded so that it never outweighs a broken rule.
            return cost + _COST_OVER_CAP * (1.0 + min(1.0, (ratio - 1.25) / 4))
        return cost + _COST_STRETCH * ratio * ratio

    inf = float("inf")
    best = [inf] * (n + 1)
    back = [-1] * (n + 1)
    start0 = next_solid[0]
    best[start0] = 0.0
    for i in range(n):
        if best[i] == inf:
            continue
        a = next_solid[i]
        indent = first_indent if i == start0 else 0.0
        cands: list[tuple[int, int, bool]] = []
        for e in range(a + 1, n + 1):
            if e < n and (pen[e] is None or clusters[e].kind == "space"):
                continue
            last = next_solid[e] >= n
            end = solid_end[e]
            nat, comp, _ = measure_line(a, end, indent)
            if nat - comp > width + TOLERANCE and e > a + 1 and cands:
                break  # nothing longer fits either (the first candidate stays, overflowing: no text is lost)
            cands.append((e, end, last))
            if last:
                break
        # Longest lines first: once a legal break leaves more than the cap, shorter ones
        # only leave more (they matter only where no legal break fits, already seen).
        for e, end, last in reversed(cands):
            line = line_cost(a, end, indent, last, i == start0)
            cost = best[i] + line
            p = 0.0
            if e < n:
                p = pen[e] or 0.0
                if p >= _PENALTY_FORCED and legal_p[e] - legal_p[a + 1] > 0:
                    p *= 2  # kinsoku gives way only on a line that had no legal break
                cost += p
            target = n if last else e
            if cost < best[target]:
                best[target] = cost
                back[target] = i
            if p == 0.0 and not last and line >= _COST_OVER_CAP:
                break

    # Walk back from the end.
    starts: list[int] = []
    j = n
    while j != start0 and j > 0:
        i = back[j]
        if i < 0:  # unreachable (cannot happen: single clusters always fit alone)
            break
        starts.append(i)
        j = i
    starts.reverse()
    bounds = starts + [n]
    out: list[Line] = []
    for k in range(len(bounds) - 1):
        i, e = bounds[k], bounds[k + 1]
        a = next_solid[i]
        last = k == len(bounds) - 2
        indent = first_indent if i == start0 else 0.0
        out.append(_make_line(clusters, joined, gaps, sq, a, solid_end[e] if e <= n else n, indent, s,
                              last))
    if not out:
        out.append(Line(items=[], width=width, natural=first_indent, last=True))
    return out


def _penalties(clusters: list[_Cluster], joined: list[bool], brk: list[bool]) -> list[float | None]:
    """Cost of a line break before each cluster; None where no line can start (spaces)."""
    pen: list[float | None] = [None] * len(clusters)
    prev_solid: _Cluster | None = None
    prev_number = False
    for j, c in enumerate(clusters):
        if c.kind == "space":
            prev_number = False
            continue
        if j == 0 or prev_solid is None:
            pen[j] = None
        elif brk[j]:
            pen[j] = 0.0
        elif c.piece and joined[j]:
            # A cut inside a token too wide for any line: free, except against kinsoku.
            bad = c.text[0] in NO_LINE_START or prev_solid.text[-1] in NO_LINE_END
            pen[j] = _PENALTY_TOKEN_KINSOKU if bad else 0.0
        elif (prev_number and not joined[j] and c.kind != "word" and c.text in NUMBER_UNITS
              and clusters[j - 1].kind != "space" and c.text[0] not in NO_LINE_START
              and prev_solid.text[-1] not in NO_LINE_END):
            pen[j] = _PENALTY_UNIT  # "2021" / "年": only when nothing better fits
        else:
            pen[j] = _PENALTY_FORCED
        prev_number = (c.kind == "word" and _is_digit(c.text[-1])) or (prev_number and c.text in NUMBER_UNITS)
        prev_solid = c
    return pen


def _orphan(clusters: list[_Cluster], a: int, e: int, em: float, justify: bool) -> bool:
    """A paragraph's last line holding a single character (孤字) — or, in a ragged note or
    caption, one short word ("推算）") — with nothing but its punctuation."""
    solid = [c for c in clusters[a:e] if c.kind in ("cjk", "word")]
    if len(solid) > (1 if justify else 2):
        return False
    return sum(c.adv for c in solid) < (1.5 if justify else 2.5) * em


def _make_line(
    clusters: list[_Cluster],
    joined: list[bool],
    gaps: list[float],
    sq: list[float],
    start: int,
    end: int,
    indent: float,
    s: _Setting,
    last: bool,
) -> Line:
    width = s.width
    idx = range(start, end)
    natural = indent + sum(clusters[k].adv for k in idx) + sum(gaps[k] - sq[k] for k in idx if k > start)
    # Blank available for compression: left blanks except the line's first mark's. The
    # line-end mark gives its blank first; the marks inside the line share the rest.
    lefts = {k: clusters[k].left for k in idx if k > start and clusters[k].left}
    rights = {k: clusters[k].right for k in idx if clusters[k].right}
    end_blank = rights.pop(end - 1, 0.0) if end > start else 0.0
    comp = sum(lefts.values()) + sum(rights.values())
    ratio = 0.0
    end_squeeze = 0.0
    if natural > width + TOLERANCE:
        end_squeeze = min(end_blank, natural - width)
        natural -= end_squeeze
    if natural > width + TOLERANCE and comp > 0:
        ratio = min(1.0, (natural - width) / comp)
        natural -= ratio * comp
    if end_squeeze:
        rights[end - 1] = end_squeeze  # taken whole (ratio 1), see below
    # Pieces of one word split by a style change (or cut from a long token) are not pulled apart.
    stretch = [k for k in idx if k > start and not joined[k]]
    extra = 0.0
    if s.justify and not last and stretch and natural < width:
        extra = (width - natural) / len(stretch)
        if s.max_stretch is not None:
            extra = min(extra, s.max_stretch)
    items: list[Placed] = []
    x = indent
    for k in idx:
        c = clusters[k]
        if k > start:
            x += gaps[k] - sq[k]
            if not joined[k]:
                x += extra
        lc = lefts.get(k, 0.0) * ratio
        rc = end_squeeze if end_squeeze and k == end - 1 else rights.get(k, 0.0) * ratio
        advance = c.adv - lc - rc
        prev = items[-1] if items else None
        if (prev is not None and c.piece and joined[k] and clusters[k - 1].piece and prev.style == c.style
                and not lc and not rc):
            # A cut token's characters on one line are drawn as the one fragment they are.
            prev.text += c.text
            prev.width = s.natural(prev.text, prev.style)
            prev.advance = (prev.advance or 0.0) + advance
        else:
            # Drawn from x - lc (its left blank squeezed out); it ends where the next cell starts.
            items.append(Placed(text=c.text, style=c.style, x=x - lc, width=c.width, advance=c.adv - rc))
        x += advance
    return Line(items=items, width=width, natural=natural, last=last)
