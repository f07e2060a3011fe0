"""Metric formulas: `hte_passed / hte_applied * 100` compiled once, in the sandbox."""

from __future__ import annotations

from typing import Any, Callable

import jinja2
from jinja2 import meta

from briefgen.errors import BriefgenError
from briefgen.sandbox import new_environment, syntax_message_zh

_ENV = new_environment()


class Formula:
    """A compiled metric formula with the names it reads."""

    def __init__(self, fn: Callable[..., Any], names: list[str]):
        self._fn = fn
        self.names = names

    def __call__(self, values: dict[str, float]) -> Any:
        return self._fn(**values)


def compile_formula(text: str, where: str) -> Formula:
    """Compile a formula; a syntax error is a Chinese message naming `where`."""
    try:
        ast = _ENV.parse("{{ " + text + " }}")
        names = sorted(meta.find_undeclared_variables(ast))
        fn = _ENV.compile_expression(text, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as e:
        raise BriefgenError(f"公式语法错误：{syntax_message_zh(e.message)}", where=where) from None
    return Formula(fn, names)
