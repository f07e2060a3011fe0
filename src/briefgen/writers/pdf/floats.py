"""Figures and tables that float: one that does not fit where it is referred to lets
the following paragraphs fill the page and goes to the top of the next page.

Rules (the way books and 统计分析 are set, LaTeX's ``[tp]`` placement):

* a float only ever moves later, so it never comes before the sentence that refers
  to it, and floats keep their order (图2 never before 图1);
* it stays within its section: a level-1 heading (:class:`SectionBreak`), a page
  break or the end of the text (:class:`Barrier`) first places every waiting float;
  the text under a lower heading (（一）…) may fill the page it leaves, so at most one
  page turn parts a float from the sentence that refers to it;
* a float waiting for a page goes to the top of the next page;
* a float taller than a whole page (a long table) is not floated: it is set where
  it is and splits across pages with its header row repeated;
* a table of many rows that does not fit where no more text of its section could
  fill the page splits there too (header repeated), rather than leave more than a
  third of the page empty — also when it is placed at the end of its section after
  waiting; a small table or a figure always moves whole;
* a float right under a heading (or a chain of headings) does not float: it is set
  under the heading, and when it does not fit the heading goes to the next page with
  it, so a heading never ends a page alone (a long table may start under it instead);
* a float's height is whole grid lines with a few points to spare, but the spare
  points give way when the float would otherwise just miss the page.

Platypus has no floats; :class:`FloatingDocTemplate` adds them by reordering the
story as it is laid out (``filterFlowables`` sees the rest of the story first).
"""

from __future__ import annotations

import math
from typing import Any

from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable
from reportlab.platypus import PageBreak as RLPageBreak

#: A table needs at least this many body rows to be split rather than moved whole.
SPLIT_ROWS = 8
#: Least space (pt) around a float, shared above and below; the rest of its last line adds to it.
MIN_PAD = 4.0
#: Headings of this level and above end the floats' section; a float waiting for the next page
#: lets the text under a lower heading (（一）, 1.) fill the page it leaves.
FLUSH_LEVEL = 1


class FloatBlock(Flowable):
    """A figure or table with its caption and notes, kept together and floated.

    Its height is rounded up to whole grid lines (the spare space split above and
    below), so the text after it stays on the line grid and a page of text ends on
    its last line. The spare :data:`MIN_PAD` shrinks when the block would fit
    without it: to whole lines without the pad, or, when not even that fits, to the
    rest of the page (no line of text could follow it there anyway).
    """

    def __init__(self, parts: list[Flowable], pitch: float, *, lead: list[Flowable] | None = None,
                 rows: int = 0):
        super().__init__()
        self.parts = parts
        self.pitch = pitch
        # Flowables that precede the parts when the block is split instead of floated.
        self.lead = lead or []
        self.rows = rows  # body rows of a table (0 for a figure): many rows may split
        self.forced = False  # set when it must be placed now (top of a page, end of a section)
        self.split_here = False  # set when it should start here and continue on the next page
        self._sizes: list[tuple[float, float]] = []
        self._content = 0.0

    def _measure(self, aw: float) -> float:
        self._sizes = [p.wrap(aw, 1e9) for p in self.parts]
        self._content = sum(h for _, h in self._sizes)
        return self._content

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """The parts' height, rounded up to whole lines with a few points to spare
        (fewer when that makes it fit in `ah`, see the class docstring)."""
        content = self._measure(aw)
        self.width = aw
        height = self._lines(content + MIN_PAD)
        if height > ah + 1e-6 and content <= ah + 1e-6:
            tight = self._lines(content)
            height = tight if tight <= ah + 1e-6 else ah
        self.height = height
        return aw, self.height

    def _lines(self, h: float) -> float:
        """`h` rounded up to whole grid lines."""
        return math.ceil(h / self.pitch - 1e-6) * self.pitch

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Never split, unless taller than any page: then the parts flow on their own."""
        frame = getattr(self, "_frame", None)
        full = (frame._y2 - frame._y1p) if frame is not None else ah
        if self._measure(aw) <= full and not self.split_here:
            return []
        return [*self.lead, *self.parts]

    def draw(self) -> None:
        """Draw the parts from the top, centred in the rounded height."""
        y = self.height - (self.height - self._content) / 2
        for p, (w, h) in zip(self.parts, self._sizes):
            y -= h
            p.drawOn(self.canv, max(0.0, (self.width - w) / 2), y)


class SectionBreak(CondPageBreak):
    """The conditional page break before a heading (the flowable right after it): also
    the end of the floats' section when the heading is of level :data:`FLUSH_LEVEL` or
    above. When a float follows the heading, its height grows to hold the heading and
    the float (see :meth:`FloatingDocTemplate._pin_under_heading`)."""

    def __init__(self, height: float, level: int = 1):
        super().__init__(height)
        self.level = level


class Barrier(Flowable):
    """An invisible mark: waiting floats are placed before it (end of the text)."""

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """Takes no room."""
        return 0.0, 0.0

    def draw(self) -> None:
        """Draws nothing."""


class FloatingDocTemplate(BaseDocTemplate):
    """A document template whose :class:`FloatBlock` flowables float (module docstring)."""

    def __init__(self, filename: str, **kw: Any):
        super().__init__(filename, **kw)
        self._waiting: list[FloatBlock] = []

    def _fits(self, f: FloatBlock) -> bool:
        frame = self.frame
        avail = frame._y - frame._y1p
        _, h = f.wrap(frame._getAvailableWidth(), avail)
        return h <= avail + 1e-6

    def _too_tall(self, f: FloatBlock) -> bool:
        frame = self.frame
        return f._measure(frame._getAvailableWidth()) > frame._y2 - frame._y1p

    def filterFlowables(self, flowables: list) -> None:
        """Reorder the story before its next flowable is laid out (see the module docstring)."""
        if not flowables:
            return
        f = flowables[0]
        frame = getattr(self, "frame", None)
        if frame is None:
            return
        flushes = self._flushes(flowables)
        if self._waiting and frame._atTop and not flushes:
            # A new page: the first waiting float opens it; the others try to follow.
            waiting, self._waiting = self._waiting, []
            waiting[0].forced = True
            brk = getattr(f, "section_break", None)
            if brk is not None:
                # A heading whose break was passed on the page before: after the floats it
                # needs its lines below it again (a heading never ends a page alone).
                if hasattr(f, "_postponed"):
                    del f._postponed
                flowables[0:0] = [SectionBreak(brk.height, brk.level)]
            self._insert(flowables, waiting)
            return
        if flushes and self._waiting:
            waiting, self._waiting = self._waiting, []
            for w in waiting:
                w.forced = True
            self._insert(flowables, waiting)
            return
        if isinstance(f, SectionBreak):
            self._pin_under_heading(f, flowables)
            return
        if isinstance(f, FloatBlock) and f.forced:
            # Placed now (end of its section): a long table still splits rather than leave
            # the page a third empty.
            if not (f.split_here or frame._atTop or self._too_tall(f) or self._fits(f)) \
                    and self._split_instead(f, flowables):
                f.split_here = True
            return
        if isinstance(f, FloatBlock):
            if self._too_tall(f):
                return  # set here and split across pages
            if self._waiting or not self._fits(f):
                if not self._waiting and self._split_instead(f, flowables):
                    f.split_here = True
                    return
                self._waiting.append(f)
                flowables[0] = None  # platypus skips a None entry

    def _flushes(self, flowables: list) -> bool:
        """Whether the story's next flowable ends the section of the floats waiting: a page
        break, the end of the text, a heading of level :data:`FLUSH_LEVEL` or above, or a
        lower heading with a float right under it (floats keep their order)."""
        f = flowables[0]
        if isinstance(f, (RLPageBreak, Barrier)):
            return True
        if not isinstance(f, SectionBreak):
            return False
        if f.level <= FLUSH_LEVEL or not self._waiting:
            return True
        i = 0
        while i + 1 < len(flowables) and isinstance(flowables[i], SectionBreak):
            i += 2
        return i < len(flowables) and isinstance(flowables[i], FloatBlock)

    @staticmethod
    def _insert(flowables: list, floats: list[FloatBlock]) -> None:
        """Put floats in front of the story. The flowable they displace may have been put
        off from the previous page already; platypus takes a second failure to fit as
        "too large for any page", but after the floats it may simply need the next one."""
        if flowables and hasattr(flowables[0], "_postponed"):
            del flowables[0]._postponed
        flowables[0:0] = floats

    def _pin_under_heading(self, brk: SectionBreak, flowables: list) -> None:
        """A float right under a heading chain is set under it: the break before the
        heading grows to hold the headings and the float, or the headings and the start
        of a long table that may split here; a float too tall to follow its headings on
        any page floats as usual (text fills in under the headings)."""
        heads: list[Flowable] = []
        i = 0
        while i + 1 < len(flowables) and isinstance(flowables[i], SectionBreak):
            heads.append(flowables[i + 1])
            i += 2
        if i >= len(flowables) or not isinstance(flowables[i], FloatBlock):
            return
        f: FloatBlock = flowables[i]
        frame = self.frame
        aw = frame._getAvailableWidth()
        full = frame._y2 - frame._y1p
        avail = frame._y - frame._y1p
        head = sum(h.wrap(aw, full)[1] for h in heads)
        content = f._measure(aw)
        start = self._lead_height(f)
        if self._too_tall(f):
            need = head + start  # set in place; it splits after its first rows
        elif f.rows >= SPLIT_ROWS and head + content > avail and avail - head >= full / 3:
            f.split_here = True  # a long table starts under its heading and continues
            need = head + start
        else:
            need = head + content
        if need > full:
            return
        f.forced = True
        brk.height = max(brk.height, need)

    @staticmethod
    def _lead_height(f: FloatBlock) -> float:
        """Room a split float needs to start on a page (its lead's conditional break)."""
        return max((g.height for g in f.lead if isinstance(g, CondPageBreak)), default=0.0)

    def _split_instead(self, f: FloatBlock, flowables: list) -> bool:
        """Whether a table that does not fit should start here: many rows, more than a
        third of the page free, and no text of its section left to fill that space."""
        frame = self.frame
        if f.rows < SPLIT_ROWS or frame._y - frame._y1p < (frame._y2 - frame._y1p) / 3:
            return False
        for g in flowables[1:]:
            if isinstance(g, (RLPageBreak, Barrier)) or (isinstance(g, SectionBreak) and g.level <= FLUSH_LEVEL):
                return True
            if not isinstance(g, (FloatBlock, SectionBreak)):
                return False  # text follows: it fills the page while the table waits
        return True
