"""数据核对: every figure a briefing prints, where it stands and where it came from.

:func:`~briefgen.audit.rows.collect` turns a document built under
:func:`briefgen.provenance.recording` into one :class:`~briefgen.audit.rows.Row` per
printed figure (paragraph, heading, table cell, caption, chart label, 报头/版记 line),
each with its value before rounding, how it was obtained and the source cells;
:mod:`~briefgen.audit.workbook` writes them as ``<name>.audit.xlsx``;
:mod:`~briefgen.audit.reading` finds the figures of a DOCX or PDF that may have been
edited by hand, and :mod:`~briefgen.audit.compare` matches them to the rows of a fresh
build (``briefgen check``).
"""

from __future__ import annotations

from briefgen.audit.rows import EXCEPTED, Audit, Row, collect

__all__ = ["Audit", "Row", "collect", "EXCEPTED"]
