"""Where every number came from: source cells, how a value was obtained, and what was printed.

Values carry their own history. A figure read from the data is a :class:`Traced`
float whose :class:`Prov` names the cell it came from (:class:`Source`: file, sheet
and A1 cell, file and line, database, query and row); a growth rate, a net change,
a share, a total over regions or a formula result is a :class:`Traced` float whose
``Prov`` holds the values it was computed from. Arithmetic on traced values stays
traced, so a phrase that subtracts two figures prints a traced difference.

While a build is audited (:func:`recording`), the zh layer calls :func:`note` every
time it turns a traced value into text; the builder opens a :func:`scope` around each
paragraph, table cell and caption, so each block knows the figures printed in it.
Outside :func:`recording` nothing is collected and :func:`note` costs one lookup.

This module depends on nothing else in briefgen.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

__all__ = [
    "Source", "Prov", "Traced", "TracedInt", "Printed", "traced", "retrace", "prov_of", "is_traced",
    "recording", "scope", "note", "active", "leaf_sources", "walk", "Difference", "FIELD_CN",
]


@dataclass(frozen=True)
class Source:
    """Where one input value stands: an XLSX cell, a line of a CSV/YAML/JSON file, a row of
    an SQL result, or a key of the config (its line is looked up when the audit is written)."""

    kind: str  # xlsx | csv | yaml | json | sql | config | template
    file: str
    sheet: str = ""
    cell: str = ""  # A1 form (xlsx)
    line: int | None = None  # 1-based (csv, yaml, json, config, template)
    column: int | None = None  # 1-based (csv)
    query: str = ""  # sql
    row: int | None = None  # 1-based row of the query result (sql)
    field: str = ""  # what the cell holds besides the value: a published figure (yoy, rank …), a config key
    header: str = ""  # the column's header, where it helps (sql)

    @property
    def path(self) -> str:
        """The file as written, without detours (a/../b/c.csv → b/c.csv)."""
        return os.path.normpath(self.file) if self.file else self.file

    def text(self) -> str:
        """The place as a person looks it up: 文件：工作表“表1”：D5 · 文件：第12行 · 数据库…：第3行."""
        what = f"（{FIELD_CN.get(self.field, self.field)}）" if self.field and self.kind != "config" else ""
        file = self.path
        if self.kind == "xlsx":
            return f"{file}：工作表“{self.sheet}”：{self.cell}{what}"
        if self.kind == "sql":
            q = " ".join(self.query.split())
            q = q if len(q) <= 80 else q[:79] + "…"
            col = f"“{self.header}”列" if self.header else ""
            return f"数据库 {file}：查询“{q}”结果第{self.row}行{col}{what}"
        if self.kind == "config":
            at = f"：第{self.line}行" if self.line else ""
            return f"{file}{at}（配置项 {self.field}）"
        if self.kind == "template":
            at = f"：第{self.line}行" if self.line else ""
            return f"{file}{at}（模板原文）"
        at = f"：第{self.line}行" if self.line else ""
        col = f"第{self.column}列" if self.column and self.kind == "csv" else ""
        return f"{file}{at}{col}{what}"


#: Published figures and other fields of a cell, in words.
FIELD_CN = {"value": "数值", "yoy": "公布增速", "net": "公布增减量", "pp": "公布增减百分点", "rank": "公布排名",
            "rank_prev": "公布上期排名", "rank_of": "公布排名总数", "target": "目标值"}


@dataclass(frozen=True, eq=False)
class Prov:
    """How a value was obtained.

    ``method`` is one of: read (from the data), scaled (read and converted to another unit),
    formula, total (a parent region's sum of its children), sum/mean/max/min/count/at (formula
    functions), growth, net, pp, published (a published figure used instead of the computed
    one, which is ``computed``), rank, rank_change, count, share, completion, over, cagr,
    milestone, config (a number in the config), arith (arithmetic in a phrase: ``note`` says
    which). ``inputs`` are (role, traced value) pairs; ``sources`` the cells read directly.
    """

    method: str
    value: float
    key: str = ""
    name: str = ""
    indicator: str = ""
    region: str = ""
    period: str = ""
    unit: str = ""
    sources: tuple[Source, ...] = ()
    inputs: tuple[tuple[str, Any], ...] = ()
    note: str = ""
    computed: float | None = None

    def described(self) -> str:
        """名称 · 地区 · 时期 of the value, as far as known."""
        return " ".join(x for x in (self.name or self.indicator, self.region, self.period) if x)


def prov_of(x: Any) -> Prov | None:
    """The provenance a value carries, or None."""
    return getattr(x, "prov", None) if isinstance(x, (Traced, TracedInt)) else None


def is_traced(x: Any) -> bool:
    """Whether `x` carries provenance."""
    return isinstance(x, (Traced, TracedInt))


# ---------------------------------------------------------------------------
# Traced numbers
# ---------------------------------------------------------------------------

#: Operators in words, for the arithmetic a phrase does on traced values.
SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "truediv": "÷", "floordiv": "整除", "mod": "取余", "pow": "^",
           "neg": "−"}


def _combine(result: Any, op: str, left: Any, right: Any) -> Any:
    """The result of ``left op right`` with the provenance of an arithmetic step: ``note`` is the
    operator, ``inputs`` both operands (an untraced one is a constant)."""
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        return result
    return traced(result, Prov("arith", float(result), inputs=(("", left), ("", right)), note=SYMBOLS[op]))


def _binary(name: str, base: type) -> tuple[Callable[..., Any], Callable[..., Any]]:
    fwd = getattr(base, f"__{name}__")
    rev = getattr(base, f"__r{name}__")

    def op(self: Any, other: Any) -> Any:
        r = fwd(self, other)
        return r if r is NotImplemented else _combine(r, name, self, other)

    def rop(self: Any, other: Any) -> Any:
        r = rev(self, other)
        return r if r is NotImplemented else _combine(r, name, other, self)

    return op, rop


class _TracedOps:
    """Arithmetic that keeps provenance; the same value with its provenance under abs() and +x."""

    __slots__ = ()
    prov: Prov

    def __abs__(self) -> Any:
        # The printed magnitude of a signed figure (下降3.1%) is still that figure.
        return traced(abs(self._plain()), self.prov)

    def __pos__(self) -> Any:
        return self

    def __neg__(self) -> Any:
        v = -self._plain()
        return traced(v, Prov("arith", float(v), inputs=(("", self),), note=SYMBOLS["neg"]))

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: Any) -> Any:
        return self  # immutable; a deep copy would copy the whole history

    def _plain(self) -> Any:
        raise NotImplementedError


class Traced(_TracedOps, float):
    """A float with its :class:`Prov`; compares, hashes and prints as the float it is."""

    __slots__ = ("prov",)

    def __new__(cls, value: float, prov: Prov) -> "Traced":
        o = float.__new__(cls, value)
        o.prov = prov
        return o

    def _plain(self) -> float:
        return float(self)

    def __reduce__(self) -> Any:
        # Pickled (to a worker, a cache) it is a plain float: provenance stays in the process.
        return (float, (float(self),))

    def __round__(self, ndigits: int | None = None) -> Any:  # type: ignore[override]
        if ndigits is None:
            return TracedInt(float.__round__(self), self.prov)
        return Traced(float.__round__(self, ndigits), self.prov)

    def __floor__(self) -> Any:
        return TracedInt(float.__floor__(self), self.prov)

    def __ceil__(self) -> Any:
        return TracedInt(float.__ceil__(self), self.prov)

    __add__, __radd__ = _binary("add", float)
    __sub__, __rsub__ = _binary("sub", float)
    __mul__, __rmul__ = _binary("mul", float)
    __truediv__, __rtruediv__ = _binary("truediv", float)
    __floordiv__, __rfloordiv__ = _binary("floordiv", float)
    __mod__, __rmod__ = _binary("mod", float)
    __pow__, __rpow__ = _binary("pow", float)


class TracedInt(_TracedOps, int):
    """An int (a rank, a count) with its :class:`Prov`."""

    prov: Prov

    def __new__(cls, value: int, prov: Prov) -> "TracedInt":
        o = int.__new__(cls, value)
        o.prov = prov
        return o

    def _plain(self) -> int:
        return int(self)

    def __reduce__(self) -> Any:
        return (int, (int(self),))

    __add__, __radd__ = _binary("add", int)
    __sub__, __rsub__ = _binary("sub", int)
    __mul__, __rmul__ = _binary("mul", int)
    __truediv__, __rtruediv__ = _binary("truediv", int)
    __floordiv__, __rfloordiv__ = _binary("floordiv", int)
    __mod__, __rmod__ = _binary("mod", int)


def traced(value: Any, prov: Prov) -> Any:
    """`value` carrying `prov`: a :class:`TracedInt` for an int, a :class:`Traced` for any other real."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return TracedInt(value, prov)
    return Traced(float(value), prov)


def retrace(value: Any, like: Any) -> Any:
    """`value` with the provenance of `like` (a conversion that does not change what it is), else as it is."""
    p = prov_of(like)
    return value if p is None or value is None else traced(value, p)


def walk(p: Prov, seen: set[int] | None = None) -> Iterator[Prov]:
    """`p` and every provenance it was computed from, each once."""
    seen = set() if seen is None else seen
    stack = [p]
    while stack:
        q = stack.pop()
        if id(q) in seen:
            continue
        seen.add(id(q))
        yield q
        for _role, v in reversed(q.inputs):
            sub = prov_of(v)
            if sub is not None:
                stack.append(sub)


def leaf_sources(p: Prov) -> list[Source]:
    """Every source cell behind `p`, in the order its inputs name them, each once."""
    out: dict[Source, None] = {}
    for q in walk(p):
        for s in q.sources:
            out.setdefault(s, None)
    return list(out)


# ---------------------------------------------------------------------------
# The ledger of printed figures
# ---------------------------------------------------------------------------


@dataclass
class Printed:
    """One traced value as the zh layer printed it: ``text`` is the number as it stands in the document
    (857, 32.8, −4.8; 五 for a Chinese numeral)."""

    text: str
    value: Any
    numeral: bool = False  # a Chinese numeral (位居全省第一)

    @property
    def prov(self) -> Prov:
        p = prov_of(self.value)
        assert p is not None
        return p


_ACTIVE: contextvars.ContextVar[list[Printed] | None] = contextvars.ContextVar("briefgen_printed", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[Printed]]:
    """Collect, while active, every traced value the zh layer prints (an audited build)."""
    printed: list[Printed] = []
    token = _ACTIVE.set(printed)
    try:
        yield printed
    finally:
        _ACTIVE.reset(token)


@contextlib.contextmanager
def scope() -> Iterator[list[Printed] | None]:
    """The figures printed inside the block (also passed on to the enclosing scope); None when not recording."""
    parent = _ACTIVE.get()
    if parent is None:
        yield None
        return
    mine: list[Printed] = []
    token = _ACTIVE.set(mine)
    try:
        yield mine
    finally:
        _ACTIVE.reset(token)
        parent.extend(mine)


def active() -> bool:
    """Whether printed figures are being collected."""
    return _ACTIVE.get() is not None


def note(text: str, x: Any, numeral: bool = False) -> None:
    """Record that traced `x` was printed as `text` (nothing when not recording or `x` is untraced)."""
    ledger = _ACTIVE.get()
    if ledger is not None and isinstance(x, (Traced, TracedInt)):
        ledger.append(Printed(text, x, numeral))


@dataclass
class Difference:
    """A published figure and the one computed from the data (both kept; the published one is used)."""

    what: str  # 同比增速, 净增量, 合计 …
    key: str
    name: str
    region: str
    period: str
    unit: str
    published: Any
    computed: Any
    decimals: int  # of the published figure: agreement is judged at this precision
    agree: bool
    sources: tuple[Source, ...] = field(default_factory=tuple)
