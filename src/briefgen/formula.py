"""Metric formulas: `hte_passed / hte_applied * 100` compiled once, in the sandbox.

Besides arithmetic on metric names, a formula may call functions over regions —
``sum(gdp)``, ``mean(x)``, ``max(x)``, ``min(x)``, ``count(x)`` (over the regions at the
level being computed, or ``sum(gdp, "城区")`` over a parent's children) — and
``at(gdp, region="宜昌市", period="2021")`` to read a metric elsewhere. A name used only
as such an argument is not read at the current region: it names the metric.
"""

from __future__ import annotations

from typing import Any, Callable

import jinja2
from jinja2 import meta, nodes

from briefgen.errors import BriefgenError
from briefgen.sandbox import new_environment, syntax_message_zh

_ENV = new_environment()

#: Functions a formula may call; their first argument is a metric name.
FUNCTIONS = ("sum", "mean", "max", "min", "count", "at")


class Formula:
    """A compiled metric formula with the names it reads.

    ``names`` are read at the region and period being computed; ``refs`` only name a
    metric for a function (``sum(gdp)``).
    """

    def __init__(self, fn: Callable[..., Any], names: list[str], refs: list[str], calls: list[str]):
        self._fn = fn
        self.names = names
        self.refs = refs
        self.calls = calls

    @property
    def metrics(self) -> list[str]:
        """Every metric the formula names, however it uses it."""
        return sorted(set(self.names) | set(self.refs))

    def __call__(self, values: dict[str, Any]) -> Any:
        return self._fn(**values)


class Ref(str):
    """A metric named as a function argument: ``sum(gdp)`` passes Ref("gdp")."""

    __slots__ = ()

    @property
    def key(self) -> str:
        return str(self)


class Operand(float):
    """A metric's value at the current region and period that still knows its key,
    so ``gdp / sum(gdp)`` works with ``gdp`` read here and summed over the regions."""

    key: str

    def __new__(cls, value: float, key: str) -> "Operand":
        o = super().__new__(cls, value)
        o.key = key
        return o


def metric_key(x: Any, fn: str) -> str:
    """The metric a function argument names; anything else (an expression) is an error."""
    key = getattr(x, "key", None)
    if not isinstance(key, str):
        raise BriefgenError(f"{fn}() 的第一个参数应为一个指标键名，如 {fn}(gdp)")
    return key


def compile_formula(text: str, where: str) -> Formula:
    """Compile a formula; a syntax error is a Chinese message naming `where`."""
    try:
        ast = _ENV.parse("{{ " + text + " }}")
        undeclared = meta.find_undeclared_variables(ast)
        fn = _ENV.compile_expression(text, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as e:
        raise BriefgenError(f"公式语法错误：{syntax_message_zh(e.message)}", where=where) from None
    calls: list[str] = []
    as_arg: set[int] = set()
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in FUNCTIONS:
            calls.append(call.node.name)
            if not call.args or not isinstance(call.args[0], nodes.Name):
                raise BriefgenError(f"公式中 {call.node.name}() 的第一个参数应为一个指标键名，如 {call.node.name}(gdp)",
                                    where=where)
            as_arg.add(id(call.args[0]))
        elif isinstance(call.node, nodes.Name):
            raise BriefgenError(f"公式中不能调用 {call.node.name}()", where=where,
                                hint="可用：" + "、".join(f"{f}()" for f in FUNCTIONS))
    read_here: set[str] = set()
    named: set[str] = set()
    for n in ast.find_all(nodes.Name):
        if n.ctx != "load" or n.name in FUNCTIONS:
            continue
        (named if id(n) in as_arg else read_here).add(n.name)
    names = sorted(read_here & undeclared)
    refs = sorted((named - read_here) & undeclared)
    return Formula(fn, names, refs, calls)
