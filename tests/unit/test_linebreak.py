"""Tests for briefgen.linebreak: kinsoku, greedy filling, justification, text conservation."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.linebreak import (
    NO_LINE_END,
    NO_LINE_START,
    NUMBER_UNITS,
    Line,
    Span,
    break_paragraph,
    char_class,
)

TOL = 0.01
WIDTH = 442.2
TRACK = (WIDTH - 28 * 16) / 28


def measure(text: str, style=None) -> float:
    """Fake metrics: wide characters 16 pt, everything else 8 pt."""
    return sum(16.0 if unicodedata.east_asian_width(c) in "WF" else 8.0 for c in text)


def lay(text: str, width: float = WIDTH, tracking: float = TRACK, **kw) -> list[Line]:
    return break_paragraph([Span(text, "s")], width, measure, tracking=tracking, **kw)


def texts(lines: list[Line]) -> list[str]:
    return ["".join(p.text for p in line.items) for line in lines]


def end_of(line: Line, tracking: float = TRACK) -> float:
    last = line.items[-1]
    return last.x + last.advance


def assert_conserved(text: str, lines: list[Line]) -> None:
    """Items reproduce the input; only spaces/newlines between lines may be dropped."""
    pos = 0
    skippable = lambda c: char_class(c) in ("space", "newline")  # noqa: E731
    for line in lines:
        while pos < len(text) and skippable(text[pos]):
            pos += 1
        for item in line.items:
            assert text.startswith(item.text, pos), (text, pos, item.text)
            pos += len(item.text)
    assert all(skippable(c) for c in text[pos:]), (text, pos)


def assert_justified(line: Line, tracking: float = TRACK) -> None:
    assert end_of(line, tracking) == pytest.approx(line.width, abs=TOL)


# --- grid filling and justification -------------------------------------------------


def test_empty_input():
    assert lay("") == []
    assert break_paragraph([], WIDTH, measure) == []
    assert break_paragraph([Span("", "a")], WIDTH, measure) == []


def test_grid_28_28_4():
    lines = lay("国" * 60)
    assert [len(line.items) for line in lines] == [28, 28, 4]
    assert [line.last for line in lines] == [False, False, True]
    for line in lines[:2]:
        assert_justified(line)
        steps = [b.x - a.x for a, b in zip(line.items, line.items[1:])]
        assert max(steps) - min(steps) < 1e-9
        assert steps[0] == pytest.approx(WIDTH / 28)
    last = lines[2]
    assert [p.x for p in last.items] == pytest.approx([k * (16 + TRACK) for k in range(4)])
    assert last.natural == pytest.approx(4 * (16 + TRACK))


def test_slack_spread_over_all_gaps_not_left_at_end():
    # "ab cd " + 22 CJK fill 400 pt; the 5 pt slack goes into every gap, spaces included.
    lines = lay("ab cd " + "中" * 30, width=405, tracking=0)
    first = lines[0]
    assert not first.last
    assert_justified(first, 0)
    steps = [b.x - (a.x + a.width) for a, b in zip(first.items, first.items[1:])]
    assert len(first.items) == 26
    assert max(steps) - min(steps) < 1e-9 and steps[0] == pytest.approx(5 / 25)


def test_justify_false_is_natural():
    lines = lay("国" * 60, justify=False)
    assert [len(line.items) for line in lines] == [28, 28, 4]
    for line in lines:
        assert [p.x for p in line.items] == pytest.approx([k * (16 + TRACK) for k in range(len(line.items))])


def test_first_indent():
    # Two grid cells of indent keep the first line on the 28-character grid.
    cell = 16 + TRACK
    lines = lay("国" * 60, first_indent=2 * cell)
    assert [len(line.items) for line in lines] == [26, 28, 6]
    assert lines[0].items[0].x == 2 * cell
    assert lines[1].items[0].x == 0.0
    assert_justified(lines[0])
    # A bare 2 x 16 pt indent is wider than two tracked cells: one character fewer.
    lines = lay("国" * 60, first_indent=32.0)
    assert [len(line.items) for line in lines] == [25, 28, 7]
    assert lines[0].items[0].x == 32.0


# --- kinsoku ---------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["，", "。", "”", "…", "……", "——", "、", "）", "》", "％", "!", "."])
def test_closing_mark_never_starts_a_line(mark):
    text = "国" * 28 + mark + "国" * 10
    lines = lay(text)
    assert texts(lines)[1][0] != mark[0]
    assert len(lines[0].items) == 27
    assert_justified(lines[0])
    assert_conserved(text, lines)


@pytest.mark.parametrize("mark", ["“", "（", "《", "‘", "【", "("])
def test_opening_mark_never_ends_a_line(mark):
    for k in range(20, 32):
        text = "国" * k + mark + "国" * 30
        lines = lay(text)
        for line in lines:
            assert line.items[-1].text[-1] not in NO_LINE_END
            if not line.last:
                assert_justified(line)
        assert_conserved(text, lines)


@pytest.mark.parametrize("pair", ["……", "——"])
def test_two_char_marks_stay_together(pair):
    for k in range(20, 32):
        lines = lay("国" * k + pair + "国" * 30)
        assert any(pair in t for t in texts(lines))


@pytest.mark.parametrize("token", ["874.1", "96.2%", "1,000", "2021-12-21", "3:00", "-5.3", "2021年", "12月", "21日", "874.1亿元", "3个月"])
def test_numbers_and_units_never_split(token):
    for k in range(15, 32):
        text = "国" * k + token + "国" * 30
        lines = lay(text)
        assert any(token in t for t in texts(lines)), (k, texts(lines))
        assert_conserved(text, lines)


def test_latin_words_break_only_at_spaces():
    text = "The quick brown fox jumps over the lazy dog " * 4
    lines = lay(text, width=200, tracking=0)
    words = set(text.split())
    for line in lines:
        for item in line.items:
            assert item.text == " " or item.text in words
        assert line.items[0].text != " " and line.items[-1].text != " "
    assert_conserved(text, lines)


def test_long_url_is_cut_and_nothing_lost():
    url = "https://example.gov.cn/" + "a1/" * 92 + "x"
    assert len(url) == 300
    for prefix in ("", "见网址", "见（"):
        text = prefix + url + "。"
        lines = lay(text)
        assert len(lines) > 4
        assert_conserved(text, lines)
        for line in lines[:-1]:
            if len(line.items) > 1:
                assert_justified(line)
            # Each line is filled: the next ASCII character would not have fitted.
            assert line.natural > WIDTH - 8
        for line in lines:
            assert end_of(line) <= WIDTH + TOL
        assert texts(lines)[0].startswith(prefix + "https://")


def test_cluster_wider_than_line_overflows_alone():
    lines = lay("国国国", width=10, tracking=0)
    assert texts(lines) == ["国", "国", "国"]


# --- spaces, newlines, styles, latin gap ----------------------------------------


def test_newline_forces_unjustified_break():
    text = "国国国\n国国\r\n\n国"
    lines = lay(text, first_indent=32.0)
    assert texts(lines) == ["国国国", "国国", "", "国"]
    assert all(line.last for line in lines)
    assert lines[0].items[0].x == 32.0
    assert lines[1].items[0].x == 0.0
    assert lines[0].items[1].x == pytest.approx(32 + 16 + TRACK)


def test_spaces_dropped_at_line_edges():
    text = "  " + "国" * 27 + "    abc de"
    lines = lay(text)
    assert texts(lines) == ["国" * 27, "abc de"]
    assert lines[0].items[0].x == 0.0


def test_mixed_styles_keep_keys():
    spans = [Span("国家", "hei"), Span("统计局发布 http://", "song"), Span("stats.gov", "bold"), Span("。", "song")]
    lines = break_paragraph(spans, 1000, measure)
    styles = [(p.text, p.style) for p in lines[0].items]
    assert styles == [
        ("国", "hei"), ("家", "hei"), ("统", "song"), ("计", "song"), ("局", "song"), ("发", "song"),
        ("布", "song"), (" ", "song"), ("http://", "song"), ("stats.gov", "bold"), ("。", "song"),
    ]


def test_word_split_by_style_is_not_broken():
    spans = [Span("国" * 26, "a"), Span("ab", "a"), Span("cdef", "b")]
    lines = break_paragraph(spans, WIDTH, measure, tracking=TRACK)
    assert texts(lines) == ["国" * 26, "abcdef"]


def test_latin_gap():
    plain = lay("国abc国 12", tracking=0)[0].items
    assert [p.x for p in plain] == [0, 16, 40, 56, 64]
    spaced = lay("国abc国 12", tracking=0, latin_gap=4.0)[0].items
    assert [p.x for p in spaced] == [0, 20, 48, 64, 72]


def test_char_class():
    assert char_class("国") == "cjk"
    assert char_class("a") == "latin"
    assert char_class("7") == "digit"
    assert char_class(" ") == "space"
    assert char_class("\n") == "newline"
    assert char_class("，") == "close"
    assert char_class("“") == "open"
    assert char_class("\u0301") == "mark"


# --- property tests ------------------------------------------------------------------

CJK = "国家统计局发布年月日号经济增长"
PUNCT = "，。、；：？！）》」』】〕〉”’…—·％%,.;:?!)]}~〗－（《「『【〔〈“‘([{〖"
ALPHABET = CJK + PUNCT + "abcXYZ" + "0123456789" + "   " + "\n"


def check_geometry(lines: list[Line], width: float, tracking: float) -> None:
    for line in lines:
        if len(line.items) > 1:
            assert end_of(line, tracking) <= width + TOL
            assert line.natural <= width + TOL
        xs = [p.x for p in line.items]
        assert xs == sorted(xs)
        if not line.last and len(line.items) > 1:
            assert_justified(line, tracking)


def could_break(line: Line) -> bool:
    """Whether the line has a legal break point (a conservative oracle: it may miss some)."""
    items = [p.text for p in line.items]
    for k in range(1, len(items)):
        y = items[k]
        prev = [t for t in items[:k] if t != " "]
        if y == " " or not prev:
            continue
        x = prev[-1]
        if y[0] in NO_LINE_START or x[-1] in NO_LINE_END:
            continue
        if y in NUMBER_UNITS and (x[-1].isdigit() or x in NUMBER_UNITS):
            continue
        if x.isascii() and y.isascii() and items[k - 1] != " ":
            continue
        return True
    return False


def word_split(before: Line, after: Line) -> bool:
    """A token too wide for the line was cut between these lines."""
    x, y = before.items[-1].text, after.items[0].text
    return x.isascii() and y.isascii() and " " not in x + y


def check_kinsoku(lines: list[Line]) -> None:
    """Kinsoku may only give way where the previous line has no legal break."""
    for before, after in zip(lines, lines[1:]):
        if not before.items or not after.items or before.last:
            continue
        if len(before.items) == 1 or word_split(before, after):
            continue
        if after.items[0].text[0] in NO_LINE_START or before.items[-1].text[-1] in NO_LINE_END:
            assert not could_break(before), (texts([before]), texts([after]))


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=ALPHABET, max_size=300),
    width=st.sampled_from([60.0, 130.0, 250.0, WIDTH]),
    indent=st.sampled_from([0.0, 32.0]),
)
def test_random_text_conserved_and_within_width(text, width, indent):
    tracking = (width - 16 * int(width // 16)) / max(1, int(width // 16))
    lines = break_paragraph([Span(text, 0)], width, measure, tracking=tracking, first_indent=indent)
    assert (lines == []) == (text == "")
    assert_conserved(text, lines)
    check_geometry(lines, width, tracking)
    check_kinsoku(lines)


# Structured text keeps every unbreakable chain well below the line width, so
# kinsoku must always be satisfiable and is asserted strictly.
_units = st.tuples(
    st.sampled_from(["", "", "", "“", "（", "《"]),
    st.one_of(st.sampled_from(list(CJK)), st.from_regex(r"[a-z0-9][a-z0-9.,%]{0,4} ", fullmatch=True)),
    st.sampled_from(["", "", "", "，", "。", "”", "……", "——", "）", "》。", "、"]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(_units, max_size=120),
    styles=st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=5),
    width=st.sampled_from([200.0, 300.0, WIDTH]),
)
def test_random_kinsoku(parts, styles, width):
    spans = [Span(p, styles[k % len(styles)]) for k, p in enumerate(parts)]
    text = "".join(parts)
    lines = break_paragraph(spans, width, measure, tracking=TRACK, first_indent=32.0)
    assert_conserved(text, lines)
    check_geometry(lines, width, TRACK)
    flat = [p for line in lines for p in line.items]
    span_style = [s for p, s in zip(parts, (sp.style for sp in spans)) for _ in p]
    pos = 0
    for line in lines:
        if line.items:
            assert line.items[0].text[0] not in NO_LINE_START
            assert line.items[-1].text[-1] not in NO_LINE_END
    for p in flat:
        while text[pos] == " " and p.text != " ":
            pos += 1
        assert all(span_style[pos + k] == p.style for k in range(len(p.text)))
        pos += len(p.text)


def test_forced_cut_keeps_kinsoku_regression():
    """Found by hypothesis: a forced cut of '0000’0' must not start a line with ’."""
    m = lambda t, s: sum(16 if ord(c) > 0x2E80 else 8 for c in t)  # noqa: E731
    lines = break_paragraph([Span("·0000’0", 0)], 60.0, m)
    texts = ["".join(i.text for i in ln.items) for ln in lines]
    assert "".join(texts) == "·0000’0"
    assert all(t[0] not in NO_LINE_START for t in texts[1:])


# --- punctuation compression, bounded spacing, orphans -------------------------------

CELL = 16 + TRACK


def item_of(lines: list[Line], text: str):
    return next(p for line in lines for p in line.items if p.text == text)


@pytest.mark.parametrize("pair, kept", [("，（", 8.0), ("）。", 0.0), ("（《", 0.0), ("。」", 0.0)])
def test_adjacent_punctuation_is_squeezed(pair, kept):
    """Two marks side by side keep half an em between them (closing then opening) or none."""
    a, b = pair
    lines = lay("国" + pair + "国", justify=False)
    first, second = item_of(lines, a), item_of(lines, b)
    blank_a = 8.0 if a in "，）。" else 0.0  # the fake font's marks: half their 16 pt width
    blank_b = 8.0 if b in "（《" else 0.0
    # Where b's ink begins, measured from the end of a's ink.
    ink_a_end = first.x + (16 - blank_a)
    ink_b_start = second.x + blank_b
    assert ink_b_start - ink_a_end == pytest.approx(kept + TRACK)


def test_an_isolated_comma_keeps_its_width_when_a_character_can_move():
    """29 cells ending in 。 would fit a 28-cell line only by squeezing the two commas inside it
    as well, which makes them look like Latin commas: "国。" moves down instead and the slack of
    the line is spread over its gaps, well under the cap."""
    head = "国" * 10 + "，" + "国" * 10 + "，" + "国" * 6 + "。"
    lines = lay(head + "国" * 10, max_stretch=3.84)
    assert texts(lines)[0] == head[:-2]
    assert_justified(lines[0])
    commas = [p for p in lines[0].items if p.text == "，"]
    assert [p.advance for p in commas] == pytest.approx([CELL, CELL])
    steps = [b.x - (a.x + a.advance) for a, b in zip(lines[0].items, lines[0].items[1:])]
    assert 0 < max(steps) < 1.0
    # Without any mark to squeeze, the same happens.
    plain = lay("国" * 28 + "。" + "国" * 10)
    assert texts(plain)[0] == "国" * 27


def test_a_short_line_takes_room_from_the_mark_that_ends_it():
    """A line a little too long squeezes its closing mark at the line end (挤进), and only that:
    the comma inside the line keeps its full cell, and nothing is letter-spaced."""
    head = "国" * 12 + "，" + "国" * 13 + "a国。"  # 28 cells and a Latin letter: 7.8 pt too long
    lines = lay(head + "国" * 10, max_stretch=3.84)
    assert texts(lines)[0] == head
    assert_justified(lines[0])
    assert item_of(lines, "，").advance == pytest.approx(CELL)
    stop = lines[0].items[-1]
    assert 0 < CELL - stop.advance <= 8  # at most its blank half
    steps = [b.x - (a.x + a.advance) for a, b in zip(lines[0].items, lines[0].items[1:])]
    assert max(steps) == pytest.approx(0, abs=1e-6)


def test_isolated_marks_are_squeezed_when_nothing_else_fits():
    """Where the only other breaks would letter-space a line past the cap, the commas inside the
    line give their blank after all (a number cannot be split)."""
    lines = lay("国，国，1234", width=84.0, tracking=0.0, max_stretch=3.84)
    assert texts(lines) == ["国，国，1234"]
    commas = [p for p in lines[0].items if p.text == "，"]
    assert [p.advance for p in commas] == pytest.approx([10.0, 10.0])  # 12 pt shared


def test_gaps_are_capped_and_the_rest_left_at_the_end():
    """Nothing else fits: the gaps stop at the cap and the line ends short of the margin."""
    text = "国" * 20 + "abcdefghijklmnopqr" + "国" * 5
    free = lay(text)
    wide = max(b.x - (a.x + a.advance) for a, b in zip(free[0].items, free[0].items[1:]))
    assert wide > 6  # without a cap the 20 characters are letter-spaced
    capped = lay(text, max_stretch=3.84)
    assert texts(capped) == texts(free)
    first = capped[0]
    steps = [b.x - (a.x + a.advance) for a, b in zip(first.items, first.items[1:])]
    assert max(steps) == pytest.approx(3.84)
    assert end_of(first) < WIDTH - 10


def test_a_number_leaves_its_unit_only_as_a_last_resort():
    # A 100 pt line: "国国" + "12345678年" cannot share a line; either "国国" alone is
    # letter-spaced past the cap or the number is parted from 年.
    lines = lay("国国12345678年国", width=100.0, tracking=0.0, max_stretch=3.84)
    assert texts(lines) == ["国国12345678", "年国"]
    # With room to spare the pair always stays together.
    lines = lay("国" * 20 + "12345678年" + "国" * 10, max_stretch=3.84)
    assert any("12345678年" in t for t in texts(lines))


@pytest.mark.parametrize("justify, tail", [(True, "元。"), (False, "推算）")])
def test_last_line_is_not_a_lone_word(justify, tail):
    """A paragraph does not end with a single character (孤字), nor a note with one short word."""
    text = "国" * 28 + tail if justify else "国" * 12 + tail
    width = WIDTH if justify else 200.0
    greedy_last = tail
    lines = lay(text, width=width, justify=justify, tracking=TRACK if justify else 0.0)
    last = texts(lines)[-1]
    assert last != greedy_last and last.endswith(tail)
    solid = [c for c in last if c not in "，。）"]
    assert len(solid) >= (2 if justify else 3)
    assert_conserved(text, lines)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=ALPHABET, max_size=300),
    width=st.sampled_from([60.0, 130.0, 250.0, WIDTH]),
    indent=st.sampled_from([0.0, 32.0]),
)
def test_random_text_with_capped_gaps(text, width, indent):
    """With a cap, no gap between two clusters exceeds it; nothing is lost or overflows."""
    tracking = (width - 16 * int(width // 16)) / max(1, int(width // 16))
    cap = 3.84
    lines = break_paragraph([Span(text, 0)], width, measure, tracking=tracking, first_indent=indent,
                            max_stretch=cap)
    assert_conserved(text, lines)
    check_kinsoku(lines)
    for line in lines:
        xs = [p.x for p in line.items]
        assert xs == sorted(xs)
        if len(line.items) > 1:
            assert end_of(line, tracking) <= width + TOL
        for a, b in zip(line.items, line.items[1:]):
            assert b.x - (a.x + a.advance) <= cap + TOL
