"""Input hygiene: text every writer can store, and no network sources.

Output paths live in :mod:`briefgen.files`, template limits in :mod:`briefgen.sandbox`.
"""

from __future__ import annotations

import re
from typing import Any

from briefgen.errors import BriefgenError

# --- text -------------------------------------------------------------------

# XML 1.0 forbids C0 controls (except tab, LF, CR), U+FFFE/U+FFFF and lone
# surrogates; python-docx raises on them. DEL and C1 controls are legal XML but
# never meant to be printed, so they go too.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Drop characters no document format can hold (control characters, U+FFFE…)."""
    if not text:
        return text
    return _UNPRINTABLE.sub("", text)


# --- network ----------------------------------------------------------------

_URL = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*://|^\s*(?:\\\\|//)")


def is_url(text: Any) -> bool:
    """True for `http://…`, `ftp://…`, `file://…` and UNC/network shares (`\\\\server\\x`)."""
    return isinstance(text, str) and bool(_URL.match(text))


def reject_url(text: Any, where: str | None, what: str = "数据源") -> None:
    """briefgen never fetches anything: a URL where a local file is expected is an error."""
    if is_url(text):
        raise BriefgenError(f"{what}不能是网址或网络共享路径：{text}", where=where,
                            hint="briefgen 不访问网络，请先下载到本地，再写本地路径")
