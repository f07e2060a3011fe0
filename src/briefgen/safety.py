"""Input hygiene: text every writer can store, no network sources, sane lengths, and
SQLite queries that can only read.

Output paths live in :mod:`briefgen.files`, template limits in :mod:`briefgen.sandbox`.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError
from briefgen.files import os_error

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


# --- faults -----------------------------------------------------------------


def user_error(e: BaseException) -> BriefgenError | None:
    """A fault the user can cause or fix, as a Chinese error; None for a real bug.

    OS errors (read-only folder, full disk, no permission) name the path and the
    cause; input nested too deeply for Python (a JSON file of 100,000 brackets)
    and memory exhaustion get a sentence of their own.
    """
    if isinstance(e, BriefgenError):
        return e
    if isinstance(e, OSError):
        return os_error(e)
    if isinstance(e, RecursionError):
        return BriefgenError("内容嵌套层数过多，无法处理（如数据文件中的括号层层嵌套，或公式、模板层层引用）",
                             hint="请检查数据文件、配置和模板中是否有异常深的嵌套")
    if isinstance(e, MemoryError):
        return BriefgenError("内存不足：数据或生成的内容过大", hint="请减少数据量，或检查模板是否生成了过多内容")
    return None


def quiet_unraisable() -> None:
    """Drop the second report of an OS error from a half-written file's destructor.

    A writer that fails on a full disk raises the error (reported once, in
    Chinese); the zip file it leaves behind fails again when collected, and
    Python would print that as "Exception ignored … Traceback".
    """
    previous = sys.unraisablehook
    if getattr(previous, "_briefgen_quiet", False):
        return

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, OSError):
            return
        previous(unraisable)

    hook._briefgen_quiet = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


# --- lengths ----------------------------------------------------------------

# A title or heading is a line or two; laying out 300,000 characters as one
# centred title took a minute and never makes a readable document.
MAX_TITLE_CHARS = 300


#: A figure's or table's caption, and its source or unit note: a figure moves whole with them,
#: so together they must fit on one page (a figure, 100 characters of caption and 200 of note do).
MAX_CAPTION_CHARS = 100
MAX_NOTE_CHARS = 200


def check_document_text(doc: Any, where: str | None = None) -> None:
    """Refuse a title, subtitle, masthead, organ or heading longer than MAX_TITLE_CHARS, and a
    figure's or table's caption or note longer than MAX_CAPTION_CHARS / MAX_NOTE_CHARS."""
    meta = doc.meta
    items = [("标题", meta.title, MAX_TITLE_CHARS), ("副标题", meta.subtitle, MAX_TITLE_CHARS),
             ("报头", meta.masthead, MAX_TITLE_CHARS), ("编发单位", meta.organ, MAX_TITLE_CHARS)]
    for b in doc.blocks:
        kind = type(b).__name__
        if kind == "Heading" and isinstance(getattr(b, "text", None), str):
            items.append((f"章节标题“{_head(b.text)}”", b.text, MAX_TITLE_CHARS))
        elif kind in ("Figure", "Table"):
            name = b.number or ("图" if kind == "Figure" else "表")
            items.append((f"{name}的标题", b.caption, MAX_CAPTION_CHARS))
            items.append((f"{name}“{_head(b.caption)}”的数据来源（source）", b.source, MAX_NOTE_CHARS))
            items.append((f"{name}“{_head(b.caption)}”的单位说明", getattr(b, "unit_note", ""), MAX_NOTE_CHARS))
    for what, text, most in items:
        if isinstance(text, str) and len(text) > most:
            raise BriefgenError(f"{what}过长（{len(text)}字，最多{most}字）", where=where,
                                hint="标题应简短；长的内容请写在正文中" if most == MAX_TITLE_CHARS
                                else "图表的标题和注释要能与图表排在同一页；长的说明请写在正文中")


def _head(text: str) -> str:
    return text[:12] + "…" if len(text) > 12 else text


# --- SQLite -----------------------------------------------------------------

MAX_SQL_ROWS = 2_000_000  # rows one query may return
MAX_SQL_SECONDS = 60.0  # time one query may run

# Authorizer actions a read-only query needs; everything else (ATTACH — which
# VACUUM INTO starts with —, PRAGMA, CREATE TEMP, INSERT, …) is denied.
_SQL_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
# Functions that reach outside the database or the process.
_SQL_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


def _sql_authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
    if action not in _SQL_ALLOWED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _SQL_DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def read_sql(db: Path, sql: str, *, max_rows: int | None = None,
             max_seconds: float | None = None) -> tuple[list[str], list[list[Any]]]:
    """Run one SELECT on an SQLite file read-only: (column names, rows).

    The file is opened read-only, and an authorizer allows reading only, since
    read-only mode alone still lets ``VACUUM INTO`` and ``ATTACH`` create files
    anywhere. A query that returns too many rows (a recursive CTE without end)
    or runs too long stops with a Chinese error.
    """
    where = str(db)
    max_rows = max_rows or MAX_SQL_ROWS
    max_seconds = max_seconds or MAX_SQL_SECONDS
    deadline = time.monotonic() + max_seconds

    def progress() -> int:
        return 1 if time.monotonic() > deadline else 0  # non-zero interrupts the query

    try:
        # as_uri() percent-encodes the path, so a "?" or "#" in it cannot add URI options.
        con = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise BriefgenError(f"无法打开数据库：{e}", where=where) from None
    try:
        con.set_authorizer(_sql_authorizer)
        con.set_progress_handler(progress, 10_000)
        try:
            cur = con.execute(sql)
            header = [d[0] for d in cur.description or []]
            rows: list[list[Any]] = []
            while True:
                chunk = cur.fetchmany(10_000)
                if not chunk:
                    break
                rows += [list(r) for r in chunk]
                if len(rows) > max_rows:
                    raise BriefgenError(f"SQL 查询返回的行数过多（超过{max_rows}行）", where=where,
                                        hint="请在查询中用 WHERE 只取需要的指标、地区和时期")
        except (sqlite3.Error, sqlite3.Warning) as e:
            text = str(e)
            if time.monotonic() > deadline or "interrupted" in text:
                raise BriefgenError(f"SQL 查询运行时间过长（超过{max_seconds:.0f}秒），已停止", where=where,
                                    hint="请检查查询是否有无限递归（WITH RECURSIVE）或过大的连接") from None
            if "authoriz" in text or "prohibited" in text:
                raise BriefgenError("SQL 数据源只允许读取数据的查询（SELECT），不允许 ATTACH、VACUUM、PRAGMA、"
                                    "建表或写入", where=where) from None
            if "one statement at a time" in text:
                raise BriefgenError("SQL 数据源只能写一条 SELECT 语句", where=where) from None
            raise BriefgenError(f"SQL 查询失败：{e}", where=where) from None
        except MemoryError:
            raise BriefgenError("SQL 查询结果过大，内存不足", where=where) from None
    finally:
        con.close()
    return header, rows
