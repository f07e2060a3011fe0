"""Safety rails: text every writer can store, output paths that stay in the output
folder, no network sources, and limits for templates written by other people.

Nothing here knows about the config or a file format beyond what it guards.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any, Callable

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


def make_pdf_text_extractable(font_name: str, chars: str) -> None:
    """Let every character drawn with reportlab font `font_name` copy and search as itself.

    Two reportlab gaps are closed: a character missing from the face is drawn
    as code 0, which the ToUnicode map turns into U+0000 (emoji, rare scripts
    come out as NULs), so it is mapped to glyph 0 (.notdef, the box every font
    has) and gets a code of its own; and characters beyond U+FFFF (emoji, CJK
    Extension B in personal and place names) are written to ToUnicode as
    UTF-16 surrogate pairs, as the PDF specification requires, instead of being
    cut to four hex digits.
    """
    from reportlab.pdfbase import pdfmetrics

    _install_tounicode_fix()
    try:
        face = pdfmetrics.getFont(font_name).face
    except (KeyError, AttributeError):
        return
    c2g = getattr(face, "charToGlyph", None)
    if c2g is None:
        return
    for ch in chars:
        code = ord(ch)
        # reportlab sends U+00A0 as a space itself; spaces and controls are never drawn.
        if code not in c2g and code > 0x20 and code != 0xA0 and not ch.isspace():
            c2g[code] = 0


def _utf16_hex(v: int) -> str:
    if v > 0xFFFF:
        v -= 0x10000
        return "%04X%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
    return "%04X" % v


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's makeToUnicodeCMap with surrogate pairs for code points beyond U+FFFF."""
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname, "/Ordering (%s)" % fontname, "/Supplement 0", ">> def",
        "/CMapName /%s def" % fontname, "/CMapType 2 def", "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1), "endcodespacerange", "%d beginbfchar" % len(subset),
        *["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)],
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


def _install_tounicode_fix() -> None:
    from reportlab.pdfbase import ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, "_briefgen", False):
        return
    _to_unicode_cmap._briefgen = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


# --- output paths -----------------------------------------------------------

# Names Windows reserves for devices, with or without an extension ("CON.docx").
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}
_ILLEGAL = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_COMPONENT_BYTES = 200  # below the 255-byte limit, leaving room for ".docx.part" etc.


def safe_component(text: Any, where: str | None = None) -> str:
    """One path component made safe on every OS; `..`, `.` and empty names are errors.

    Characters Windows forbids become "_", trailing dots/spaces are removed and
    device names (CON, NUL, COM1…) get a leading "_", so a region or period
    from the data always yields a plain file name.
    """
    raw = "" if text is None else str(text)
    s = unicodedata.normalize("NFC", raw).strip()
    if s in (".", ".."):
        raise BriefgenError(f"输出文件名不能是“{s}”", where=where, hint="文件名不能指向上级目录")
    s = _ILLEGAL.sub("_", s.replace("/", "_").replace("\\", "_"))
    s = s.rstrip(". ")
    if not s:
        raise BriefgenError(f"输出文件名为空或只含不允许的字符：“{raw}”", where=where)
    if s.split(".")[0].rstrip(" ").upper() in _RESERVED:
        s = "_" + s
    b = s.encode("utf-8")
    if len(b) > MAX_COMPONENT_BYTES:
        s = b[:MAX_COMPONENT_BYTES].decode("utf-8", "ignore").rstrip(". ")
    return s


def safe_filename(name: Any, where: str | None = None) -> str:
    """A relative output path ("宜昌市/2021/简报") made safe component by component.

    Absolute paths, drive letters and `..` are refused (an output name must
    never leave the output folder); each component goes through
    :func:`safe_component`. Returns a POSIX-style relative path string.
    """
    raw = "" if name is None else str(name)
    s = raw.strip()
    if not s:
        raise BriefgenError("输出文件名为空", where=where)
    if s.startswith(("/", "\\")) or _DRIVE.match(s):
        raise BriefgenError(f"输出文件名不能是绝对路径：“{raw}”", where=where,
                            hint="只写文件名，输出目录用 --out 指定")
    parts = [p for p in re.split(r"[\\/]+", s) if p.strip() not in ("", ".")]
    if any(p.strip() == ".." for p in parts):
        raise BriefgenError(f"输出文件名不能包含“..”：“{raw}”", where=where,
                            hint="输出文件只能写在输出目录之内")
    if not parts:
        raise BriefgenError(f"输出文件名无效：“{raw}”", where=where)
    return str(PurePosixPath(*[safe_component(p, where) for p in parts]))


def output_path(out_dir: Path, name: str, suffix: str, where: str | None = None) -> Path:
    """`out_dir/name.suffix` for a name checked by :func:`safe_filename`, proven to stay inside."""
    rel = safe_filename(name, where)
    target = Path(out_dir) / f"{rel}.{suffix}" if suffix else Path(out_dir) / rel
    base = Path(out_dir).resolve()
    try:
        target.resolve().relative_to(base)
    except ValueError:
        # A symlink inside the output folder pointing elsewhere.
        raise BriefgenError(f"输出文件会写到输出目录之外：{target}", where=where) from None
    return target


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


# --- template limits ---------------------------------------------------------

MAX_TEMPLATE_STEPS = 2_000_000  # executed template lines per render: ~1 s, far above any real template
MAX_STRING = 200_000  # longest string or list a single template operation may build
MAX_POWER = 4096  # largest exponent of `**`


class TemplateLimitError(BriefgenError):
    """A template exceeded a limit (time, size)."""


def _size(x: Any) -> int | None:
    return len(x) if isinstance(x, (str, bytes, list, tuple)) else None


def check_binop(op: str, left: Any, right: Any) -> None:
    """Refuse `*`, `**` and `%` in a sandboxed template whose result would explode."""
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and isinstance(n, int) and size * max(n, 0) > MAX_STRING:
                raise TemplateLimitError(f"模板生成的文字过长（超过{MAX_STRING}字）")
    elif op == "**":
        if isinstance(right, (int, float)) and isinstance(left, (int, float)) and abs(right) > MAX_POWER \
                and abs(left) > 1:
            raise TemplateLimitError(f"模板中的乘方过大（指数超过{MAX_POWER}）")
    elif op == "%" and isinstance(left, str) and _huge_width(left):
        raise TemplateLimitError("模板中的格式宽度过大")


_WIDTH = re.compile(r"\d{7,}")


def _huge_width(fmt: str) -> bool:
    return any(int(m.group()) > MAX_STRING for m in _WIDTH.finditer(fmt))


def check_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Refuse str/list methods and filters asked to build something enormous ('x'.ljust(10**9))."""
    # Jinja's sandbox hands out str.format wrapped; the bound method is `__wrapped__`.
    owner = getattr(obj, "__self__", None)
    if owner is None:
        owner = getattr(getattr(obj, "__wrapped__", None), "__self__", None)
    if isinstance(owner, (str, bytes, list)) or getattr(obj, "__name__", "") in _SIZE_FILTERS:
        for a in (*args, *kwargs.values()):
            if isinstance(a, int) and not isinstance(a, bool) and a > MAX_STRING:
                raise TemplateLimitError(f"模板中的数值参数过大（{a}）")
        if isinstance(owner, str) and getattr(obj, "__name__", "") in ("format", "format_map") \
                and _huge_width(owner):
            raise TemplateLimitError("模板中的格式宽度过大")


# Jinja filters whose integer arguments are widths or counts.
_SIZE_FILTERS = {"do_center", "do_indent", "do_wordwrap", "do_truncate", "do_format", "center", "indent",
                 "wordwrap", "format"}


def guard_filters(filters: dict[str, Callable[..., Any]]) -> None:
    """Wrap Jinja's width-taking filters so `'x'|center(10**9)` fails instead of eating memory."""
    for name in ("center", "indent", "wordwrap", "format"):
        fn = filters.get(name)
        if fn is None or getattr(fn, "_briefgen_guarded", False):
            continue

        def guarded(*args: Any, __fn: Callable[..., Any] = fn, __name: str = name, **kwargs: Any) -> Any:
            values = [a for a in (*args, *kwargs.values()) if not hasattr(a, "environment")]
            for a in values[1:]:
                if isinstance(a, int) and not isinstance(a, bool) and a > MAX_STRING:
                    raise TemplateLimitError(f"模板中的数值参数过大（{a}）")
            if __name == "format" and values and isinstance(values[0], str) and _huge_width(values[0]):
                raise TemplateLimitError("模板中的格式宽度过大")
            return __fn(*args, **kwargs)

        guarded._briefgen_guarded = True  # type: ignore[attr-defined]
        # Keep Jinja's pass_context/pass_environment markers.
        if hasattr(fn, "jinja_pass_arg"):
            guarded.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
        filters[name] = guarded


class StepLimit:
    """Stop a template that runs too long (nested loops over big lists), on every OS.

    While active, the calling thread traces only frames of code compiled by
    `env` and counts executed lines; other code pays one cheap check per call.
    The previous tracer (a debugger, coverage) is restored afterwards.
    """

    def __init__(self, env: Any, limit: int = MAX_TEMPLATE_STEPS):
        self.env = env
        self.limit = limit
        self.steps = 0
        self._old: Any = None

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.steps += 1
            if self.steps > self.limit:
                raise TemplateLimitError("模板运行时间过长（可能是循环次数过多或嵌套循环）",
                                         hint="请减少循环次数")
        return self._local

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        if frame.f_globals.get("environment") is self.env:
            return self._local
        return None

    def __enter__(self) -> "StepLimit":
        self._old = sys.gettrace()
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.settrace(self._old)


def make_shareable(path: str | os.PathLike) -> None:
    """Give a finished output the permissions a normally created file would have.

    Temporary files come from mkstemp with mode 0600; renamed into a shared
    folder as they are, colleagues could not open the documents.
    """
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
