"""Figures and tables that float: one that does not fit where it is referred to lets
the following paragraphs fill the page and goes to the top of the next page.

Rules (the way books and 统计分析 are set, LaTeX's ``[tp]`` placement):

* a float only ever moves later, so it never comes before the sentence that refers
  to it, and floats keep their order (图2 never before 图1);
* it stays within its section: a heading (:class:`SectionBreak`), a page break or
  the end of the text (:class:`Barrier`) first places every waiting float;
* a float waiting for a page goes to the top of the next page;
* a float taller than a whole page (a long table) is not floated: it is set where
  it is and splits across pages with its header row repeated.

Platypus has no floats; :class:`FloatingDocTemplate` adds them by reordering the
story as it is laid out (``filterFlowables`` sees the rest of the story first).
"""

from __future__ import annotations

import math
from typing import Any

from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable
from reportlab.platypus import PageBreak as RLPageBreak


class FloatBlock(Flowable):
    """A figure or table with its caption and notes, kept together and floated.

    Its height is rounded up to whole grid lines (the spare space split above and
    below), so the text after it stays on the line grid and a page of text ends on
    its last line.
    """

    def __init__(self, parts: list[Flowable], pitch: float, *, lead: list[Flowable] | None = None):
        super().__init__()
        self.parts = parts
        self.pitch = pitch
        # Flowables that precede the parts when the block is too tall to float (split).
        self.lead = lead or []
        self.forced = False  # set when it must be placed now (top of a page, end of a section)
        self._sizes: list[tuple[float, float]] = []
        self._content = 0.0

    def _measure(self, aw: float) -> float:
        self._sizes = [p.wrap(aw, 1e9) for p in self.parts]
        self._content = sum(h for _, h in self._sizes)
        return self._content

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """The parts' height, rounded up to whole lines with at least half a line to spare."""
        content = self._measure(aw)
        self.width = aw
        self.height = math.ceil((content + 0.5 * self.pitch) / self.pitch - 1e-6) * self.pitch
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Never split, unless taller than any page: then the parts flow on their own."""
        frame = getattr(self, "_frame", None)
        full = (frame._y2 - frame._y1p) if frame is not None else ah
        if self._measure(aw) <= full:
            return []
        return [*self.lead, *self.parts]

    def draw(self) -> None:
        """Draw the parts from the top, centred in the rounded height."""
        y = self.height - (self.height - self._content) / 2
        for p, (w, h) in zip(self.parts, self._sizes):
            y -= h
            p.drawOn(self.canv, max(0.0, (self.width - w) / 2), y)


class SectionBreak(CondPageBreak):
    """The conditional page break before a heading: also the end of the floats' section."""


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
        if self._waiting and frame._atTop and not isinstance(f, (RLPageBreak, SectionBreak, Barrier)):
            # A new page: the first waiting float opens it; the others try to follow.
            waiting, self._waiting = self._waiting, []
            waiting[0].forced = True
            flowables[0:0] = waiting
            return
        if isinstance(f, (RLPageBreak, SectionBreak, Barrier)) and self._waiting:
            waiting, self._waiting = self._waiting, []
            for w in waiting:
                w.forced = True
            flowables[0:0] = waiting
            return
        if isinstance(f, FloatBlock) and not f.forced:
            if self._too_tall(f):
                return  # set here and split across pages
            if self._waiting or not self._fits(f):
                self._waiting.append(f)
                flowables[0] = None  # platypus skips a None entry
