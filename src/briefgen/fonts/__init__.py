"""Fonts by role for the DOCX, the PDF and the charts.

GB/T 9704-2012 names four typefaces: 小标宋 (title), 仿宋_GB2312 (body), 黑体
(first-level headings) and 楷体_GB2312 (second-level headings); page numbers and
tables use 宋体. :func:`resolve_fonts` gives each role a :class:`FontChain` of
installed or shipped faces (:mod:`.chains`); :mod:`.catalogue` holds the roles and
the official names, :mod:`.discovery` finds installed fonts.
"""

from briefgen.fonts.catalogue import ALIASES, ROLE_LABELS, ROLES
from briefgen.fonts.chains import FontChain, FontFace, clear_caches, describe, official_names, resolve_fonts

__all__ = [
    "ALIASES", "ROLES", "ROLE_LABELS", "FontChain", "FontFace", "clear_caches", "describe",
    "official_names", "resolve_fonts",
]
