"""The Jinja2 sandbox every template and formula runs in, with its limits, and template
errors translated into one Chinese sentence naming the file and line.

Templates come from department staff and colleagues, so they always render in
Jinja2's sandbox with undefined names raising errors (a typo must never print an
empty string into an official document), and with limits on time and size.
"""

from __future__ import annotations

import difflib
import re
import sys
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from briefgen.errors import BriefgenError

# --- limits ---------------------------------------------------------------------

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


# --- the environment ----------------------------------------------------------


class Sandbox(SandboxedEnvironment):
    # Cap range() well below the default so a careless loop fails fast.
    """Jinja2's sandbox with a low range() cap and size checks on `*`, `**`, `%` and calls."""

    MAX_RANGE = 10_000
    # `'x' * 10**9`, `10 ** 10 ** 10` and `'%999999999d' % 1` must fail, not eat memory or time.
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Refuse an exploding operation before computing it."""
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Refuse calls that would build something enormous."""
        check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def new_environment(loader: jinja2.BaseLoader | None = None, **options: Any) -> Sandbox:
    """A sandboxed environment: undefined names raise, nothing is escaped (plain text out)."""
    env = Sandbox(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False, **options)
    guard_filters(env.filters)
    return env


# --- errors --------------------------------------------------------------------


def template_error(e: Exception, name: str) -> BriefgenError:
    """Any error raised while rendering `name` as one Chinese :class:`BriefgenError` with the template line."""
    if isinstance(e, BriefgenError):
        # Raised inside the template (a limit, a metric that cannot be computed):
        # the template line is the most useful place to point at.
        # Errors that already name a config key (metrics.x.formula) keep it.
        line = _template_line(e, name)
        if e.where is None or (line and "：" not in e.where):
            return e.at(f"{name}:{line}" if line else name)
        return e
    if isinstance(e, jinja2.TemplateSyntaxError):
        where = f"{e.filename or name}:{e.lineno}"
        return BriefgenError(f"模板语法错误：{syntax_message_zh(e.message)}", where=where)
    line = _template_line(e, name)
    where = f"{name}:{line}" if line else name
    if isinstance(e, jinja2.UndefinedError):
        m = re.search(r"'([^']+)' is undefined", str(e))
        what = f"“{m.group(1)}”" if m else str(e)
        return BriefgenError(f"模板引用了未定义的名称{what}", where=where)
    if isinstance(e, jinja2.exceptions.SecurityError):
        m = re.search(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", str(e))
        what = f"访问“{m.group(2)}”对象的内部属性“{m.group(1)}”" if m else str(e)
        return BriefgenError(f"模板执行了不允许的操作：{what}", where=where,
                             hint="模板在沙箱中运行，只能使用指标、变量和过滤器")
    if isinstance(e, OverflowError):
        return BriefgenError("模板生成的内容过长（可能是循环次数过多）", where=where)
    if isinstance(e, RecursionError):
        return BriefgenError("模板递归层数过多（可能是宏调用了自身）", where=where)
    if isinstance(e, MemoryError):
        return BriefgenError("模板生成的内容过大，内存不足", where=where)
    return BriefgenError(f"模板渲染失败：{type(e).__name__}: {e}", where=where)


def _template_line(e: Exception, name: str) -> int | None:
    tb = e.__traceback__
    line = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in (name, "<template>") or code.co_filename.endswith((".j2", ".jinja")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_TOKENS_ZH = {"end of print statement": "}}", "end of statement block": "%}", "end of template": "模板结尾",
              "name": "名称", "end of comment": "#}"}


def _tok(t: str) -> str:
    return _TOKENS_ZH.get(t, t)


_SYNTAX_ZH: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Unexpected end of template\. Jinja was looking for the following tags: .*?"
                r"The innermost block that needs to be closed is '(\w+)'", re.S),
     lambda m: f"模板意外结束：{{% {m[1]} %}} 缺少对应的 {{% end{m[1]} %}}"),
    (re.compile(r"Encountered unknown tag '(\w+)'\.(.*)", re.S), lambda m: _unknown_tag(m[1], m[2])),
    (re.compile(r"Expected an expression, got '([^']+)'"), lambda m: f"此处应为表达式，实际是“{_tok(m[1])}”"),
    (re.compile(r"expected token '([^']+)', got '([^']+)'"),
     lambda m: f"此处应为“{_tok(m[1])}”，实际是“{_tok(m[2])}”"),
    (re.compile(r"unexpected end of template, expected '([^']+)'"),
     lambda m: f"模板意外结束，缺少“{_tok(m[1])}”"),
    (re.compile(r"unexpected char '(.+)' at \d+"), lambda m: f"不允许的字符“{m[1]}”"),
    (re.compile(r"[Uu]nexpected '([^']+)'"), lambda m: f"意外的“{_tok(m[1])}”"),
    (re.compile(r"tag name expected"), lambda m: "{% 后应为标签名，如 if、for、set"),
]


def _unknown_tag(tag: str, rest: str) -> str:

    wanted = re.findall(r"'(\w+)'", rest.split("innermost")[0])
    close = difflib.get_close_matches(tag, wanted, n=1, cutoff=0.5)
    return f"不认识的标签“{tag}”" + (f"（是否想写 {{% {close[0]} %}}？）" if close else "")


def syntax_message_zh(message: str | None) -> str:
    """Jinja's English syntax messages in Chinese (the original when not recognised)."""
    text = message or ""
    for pat, fn in _SYNTAX_ZH:
        m = pat.search(text)
        if m:
            return fn(m)
    return text
