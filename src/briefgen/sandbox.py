"""The Jinja2 sandbox every template and formula runs in, with its limits, and template
errors translated into one Chinese sentence naming the file and line.

Templates come from department staff and colleagues, so they always render in
Jinja2's sandbox with undefined names raising errors (a typo must never print an
empty string into an official document), and with limits on time and size.
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
import time
from typing import Any, Callable

import jinja2
import jinja2.runtime
import jinja2.utils
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.sandbox import SandboxedEnvironment

from briefgen.errors import BriefgenError

# --- limits ---------------------------------------------------------------------

MAX_TEMPLATE_STEPS = 2_000_000  # executed template lines per render: ~1 s, far above any real template
MAX_TEMPLATE_SECONDS = 20.0  # wall time per render, checked between template lines
MAX_STRING = 200_000  # longest string or list a single template operation may build
MAX_OUTPUT = 200_000  # characters one render (or one macro/block) may produce
MAX_POWER = 4096  # largest exponent of `**` on floats
MAX_INT_BITS = 1 << 16  # largest integer a template may compute (~19,700 decimal digits)


class TemplateLimitError(BriefgenError):
    """A template exceeded a limit (time, size)."""


def _too_long() -> TemplateLimitError:
    return TemplateLimitError(f"模板生成的文字过长（超过{MAX_STRING}字）")


def _size(x: Any) -> int | None:
    return len(x) if isinstance(x, (str, bytes, list, tuple)) else None


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def text_size(x: Any, budget: int = MAX_STRING) -> int:
    """About ``len(str(x))``, found by walking containers instead of printing them, and
    no further than just past `budget` (a list holding one long string 10,000 times
    is small in memory but 2 GB once printed or joined)."""
    if isinstance(x, (str, bytes)):
        return len(x)
    if _is_int(x):
        return x.bit_length() * 30103 // 100000 + 1  # decimal digits
    if isinstance(x, jinja2.utils.Namespace):
        x = object.__getattribute__(x, "_Namespace__attrs")
    if not isinstance(x, (list, tuple, set, frozenset, dict)):
        return 8  # a number, a metric value, None: short when printed
    total = 0
    seen: set[int] = set()
    stack: list[Any] = [x]
    while stack:
        c = stack.pop()
        if id(c) in seen:
            total += 5  # repr of a cycle: [...]
            continue
        seen.add(id(c))
        items: Any = (e for kv in c.items() for e in kv) if isinstance(c, dict) else c
        total += 2
        for e in items:
            if isinstance(e, (str, bytes)):
                total += len(e) + 4
            elif isinstance(e, (list, tuple, set, frozenset, dict, jinja2.utils.Namespace)):
                stack.append(e if not isinstance(e, jinja2.utils.Namespace)
                             else object.__getattribute__(e, "_Namespace__attrs"))
            else:
                total += text_size(e) + 2
            if total > budget:
                return total
    return total


def check_text(x: Any, budget: int = MAX_STRING) -> Any:
    """`x` itself, or a limit error when printing it would exceed `budget` characters."""
    if text_size(x, budget) > budget:
        raise _too_long()
    return x


def check_binop(op: str, left: Any, right: Any) -> None:
    """Refuse `*`, `**`, `+` and `%` in a sandboxed template whose result would explode,
    before computing it (a big power cannot be interrupted once started)."""
    if op == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimitError(f"模板中的整数过大（超过{MAX_INT_BITS}位二进制）")
            return
        for seq, n in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and _is_int(n) and size * max(n, 0) > MAX_STRING:
                raise _too_long()
    elif op == "**":
        if _is_int(left) and _is_int(right):
            if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS:
                raise TemplateLimitError(f"模板中的乘方过大（结果超过{MAX_INT_BITS}位二进制）")
        elif isinstance(right, (int, float)) and isinstance(left, (int, float)) and abs(right) > MAX_POWER \
                and abs(left) > 1:
            raise TemplateLimitError(f"模板中的乘方过大（指数超过{MAX_POWER}）")
    elif op == "+":
        if _size(left) is not None and _size(right) is not None and len(left) + len(right) > MAX_STRING:
            raise _too_long()
    elif op == "%" and isinstance(left, str):
        if _huge_width(left):
            raise TemplateLimitError("模板中的格式宽度过大")
        if len(left) + text_size(right) > MAX_STRING:
            raise _too_long()


_WIDTH = re.compile(r"\d{7,}")


def _huge_width(fmt: str) -> bool:
    return any(int(m.group()) > MAX_STRING for m in _WIDTH.finditer(fmt))


def _check_join(sep: Any, items: Any) -> Any:
    """`items` as a list (a generator is consumed once) if joining them with `sep` stays
    within MAX_STRING, else a limit error."""
    items = items if isinstance(items, (list, tuple, str)) else list(items)
    budget = MAX_STRING
    total = text_size(sep, budget) * max(len(items) - 1, 0)
    for e in items:
        if total > budget:
            break
        total += text_size(e, budget - total)
    if total > budget:
        raise _too_long()
    return items


def _replaced_size(s: Any, old: Any, new: Any, count: Any = -1) -> int:
    if not isinstance(s, (str, bytes)) or not isinstance(old, type(s)) or not isinstance(new, type(s)):
        return 0
    n = s.count(old) if old else len(s) + 1  # type: ignore[arg-type]  # old has s's type (checked above)
    if _is_int(count) and count >= 0:
        n = min(n, count)
    return len(s) + n * (len(new) - len(old))


def check_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Refuse str/list methods and filters asked to build something enormous ('x'.ljust(10**9))."""
    # Jinja's sandbox hands out str.format wrapped; the bound method is `__wrapped__`.
    owner = getattr(obj, "__self__", None)
    if owner is None:
        owner = getattr(getattr(obj, "__wrapped__", None), "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, (str, bytes, list)) or name in _SIZE_FILTERS:
        for a in (*args, *kwargs.values()):
            if _is_int(a) and a > MAX_STRING:
                raise TemplateLimitError(f"模板中的数值参数过大（{a}）")
    if isinstance(owner, (str, bytes)):
        if name in ("format", "format_map"):
            if _huge_width(owner) if isinstance(owner, str) else False:
                raise TemplateLimitError("模板中的格式宽度过大")
            if len(owner) + sum(text_size(a) for a in (*args, *kwargs.values())) > MAX_STRING:
                raise _too_long()
        elif name == "join" and args:
            _check_join(owner, args[0] if isinstance(args[0], (list, tuple, str)) else [])
        elif name == "replace" and len(args) >= 2:
            if _replaced_size(owner, *args[:3]) > MAX_STRING:
                raise _too_long()
        elif name == "expandtabs":
            width = args[0] if args else kwargs.get("tabsize", 8)
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            if _is_int(width) and len(owner) + tabs * max(width, 0) > MAX_STRING:
                raise _too_long()
        elif name == "translate" and args and isinstance(args[0], dict):
            longest = max((text_size(v) for v in args[0].values()), default=0)
            if len(owner) * max(longest, 1) > MAX_STRING:
                raise _too_long()
    if name == "generate_lorem_ipsum":  # the `lipsum` global: n paragraphs of up to `max` words
        n = args[0] if args else kwargs.get("n", 5)
        most = args[3] if len(args) > 3 else kwargs.get("max", 100)
        if _is_int(n) and _is_int(most) and n * most * 10 > MAX_STRING:
            raise _too_long()


# Jinja filters whose integer arguments are widths or counts.
_SIZE_FILTERS = {"do_center", "do_indent", "do_wordwrap", "do_truncate", "do_format", "center", "indent",
                 "wordwrap", "format", "batch", "slice", "do_batch", "do_slice"}


def _filter_check(name: str, args: dict[str, Any]) -> None:
    """Refuse a filter call whose result would be enormous. `args` are its bound
    arguments by name, the context first; join/sum store a consumed generator back."""
    keys = [k for k, v in args.items() if not isinstance(v, _JINJA_STATE)]  # skip context / environment
    if not keys:
        return
    first_key = keys[0]
    first = args[first_key]
    rest = [args[k] for k in keys[1:]]
    for a in rest:
        for x in (a if isinstance(a, tuple) else (a,)):  # *args of format
            if _is_int(x) and x > MAX_STRING:
                raise TemplateLimitError(f"模板中的数值参数过大（{x}）")
    if name == "format" and isinstance(first, str):
        if _huge_width(first):
            raise TemplateLimitError("模板中的格式宽度过大")
        if len(first) + text_size(rest) > MAX_STRING:
            raise _too_long()
    elif name == "join":
        args[first_key] = _check_join(args.get("d", ""), first)
    elif name == "replace":
        if _replaced_size(first, args.get("old"), args.get("new"), args.get("count", -1)) > MAX_STRING:
            raise _too_long()
    elif name == "indent" and isinstance(first, str):
        width = args.get("width", 4)
        if isinstance(width, str) and len(first) + (first.count("\n") + 1) * len(width) > MAX_STRING:
            raise _too_long()
    elif name == "wordwrap" and isinstance(first, str):
        wrap = args.get("wrapstring")
        if isinstance(wrap, str) and len(first) * (len(wrap) + 1) > MAX_STRING:
            raise _too_long()
    elif name in ("string", "tojson", "pprint", "urlencode", "forceescape", "xmlattr"):
        check_text(first)
    elif name == "sum" and isinstance(args.get("start"), (list, tuple, str)):
        # sum(start=[]) concatenates: as long as all the parts together.
        items = first if isinstance(first, (list, tuple)) else list(first)
        args[first_key] = items
        if sum(len(x) for x in items if isinstance(x, (list, tuple, str))) > MAX_STRING:
            raise _too_long()


_JINJA_STATE = (jinja2.Environment, jinja2.runtime.Context, nodes.EvalContext)
_GUARDED_FILTERS = ("center", "indent", "wordwrap", "format", "join", "replace", "string", "tojson", "pprint",
                    "urlencode", "forceescape", "xmlattr", "sum", "batch", "slice", "truncate")


def guard_filters(filters: dict[str, Callable[..., Any]]) -> None:
    """Wrap Jinja's filters that can build something large (`'x'|center(10**9)`,
    `big_list|join`) so they fail before eating memory."""
    for name in _GUARDED_FILTERS:
        fn = filters.get(name)
        if fn is None or getattr(fn, "_briefgen_guarded", False):
            continue
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue

        def guarded(*args: Any, __fn: Callable[..., Any] = fn, __name: str = name,
                    __sig: inspect.Signature = sig, **kwargs: Any) -> Any:
            try:
                bound = __sig.bind(*args, **kwargs)
            except TypeError:
                return __fn(*args, **kwargs)  # let the filter report its own wrong arguments
            bound.apply_defaults()
            _filter_check(__name, bound.arguments)
            return __fn(*bound.args, **bound.kwargs)

        guarded._briefgen_guarded = True  # type: ignore[attr-defined]
        # Keep Jinja's pass_context/pass_environment markers.
        if hasattr(fn, "jinja_pass_arg"):
            guarded.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
        filters[name] = guarded


class StepLimit:
    """Stop a template that runs too long (nested loops over big lists), on every OS.

    While active, the calling thread traces only frames of code compiled by
    `env` and counts executed lines, and looks at the clock every thousand lines;
    other code pays one cheap check per call. Every single operation is bounded
    in size (:func:`check_binop`, :func:`check_call`, the guarded filters), so the
    time between two checks is bounded too. The previous tracer (a debugger,
    coverage) is restored afterwards.
    """

    def __init__(self, env: Any, limit: int = MAX_TEMPLATE_STEPS, seconds: float | None = None):
        self.env = env
        self.limit = limit
        self.seconds = seconds or MAX_TEMPLATE_SECONDS
        self.steps = 0
        self.deadline = 0.0
        self._old: Any = None

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.steps += 1
            if self.steps > self.limit or (self.steps & 1023 == 0 and time.monotonic() > self.deadline):
                raise TemplateLimitError("模板运行时间过长（可能是循环次数过多或嵌套循环）",
                                         hint="请减少循环次数")
        return self._local

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        if frame.f_globals.get("environment") is self.env:
            return self._local
        return None

    def __enter__(self) -> "StepLimit":
        self.deadline = time.monotonic() + self.seconds
        self._old = sys.gettrace()
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.settrace(self._old)


# --- the environment ----------------------------------------------------------


def _bounded_concat(parts: Any) -> str:
    """`"".join(parts)` that stops as soon as the output passes MAX_OUTPUT characters:
    a loop printing a long text is caught while it grows, not after."""
    out: list[str] = []
    n = 0
    for part in parts:
        n += len(part)
        if n > MAX_OUTPUT:
            raise TemplateLimitError(f"模板生成的文字过长（超过{MAX_OUTPUT}字）")
        out.append(part)
    return "".join(out)


def _finalize(value: Any) -> Any:
    # What `{{ x }}` prints: a list of 10,000 references to one long string is 2 GB of text.
    if not isinstance(value, str):
        check_text(value, MAX_OUTPUT)
    return value


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator with `a ~ b` routed through a size check."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        """`a ~ b ~ …` → ``environment.checked_concat((a, b, …))``."""
        if frame.eval_ctx.volatile or frame.eval_ctx.autoescape:
            return super().visit_Concat(node, frame)
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")
        return None


class Sandbox(SandboxedEnvironment):
    # Cap range() well below the default so a careless loop fails fast.
    """Jinja2's sandbox with a low range() cap and size checks on `*`, `**`, `+`, `%`, `~`,
    calls, the output, and the filters that can build large text."""

    MAX_RANGE = 10_000
    # `'x' * 10**9`, `10 ** 10 ** 10` and `'%999999999d' % 1` must fail, not eat memory or time.
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _CodeGenerator
    concat = staticmethod(_bounded_concat)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Refuse an exploding operation before computing it."""
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Refuse calls that would build something enormous."""
        check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    @staticmethod
    def checked_concat(parts: tuple[Any, ...]) -> str:
        """`a ~ b`: refused when the joined text would pass MAX_STRING."""
        total = 0
        for p in parts:
            total += text_size(p, MAX_STRING - total)
            if total > MAX_STRING:
                raise _too_long()
        return "".join(map(str, parts))


def new_environment(loader: jinja2.BaseLoader | None = None, *,
                    finalize: Callable[[Any], Any] | None = None, **options: Any) -> Sandbox:
    """A sandboxed environment: undefined names raise, nothing is escaped (plain text out).

    `finalize` sees what each ``{{ x }}`` prints before the size check does.
    """
    def checked(value: Any) -> Any:
        return _finalize(finalize(value) if finalize is not None else value)

    env = Sandbox(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False, finalize=checked, **options)
    guard_filters(env.filters)
    return env


# --- errors --------------------------------------------------------------------


_UNKNOWN = re.compile(r"No (filter|test) named '([^']+)'")


def unknown_message(kind: str, name: str, env: jinja2.Environment | None = None) -> str:
    """模板使用了不存在的过滤器“reahc”（是否想用：reach） — `kind` is "filter" or "test" (``is xyz``)."""
    if kind == "filter":
        pool = sorted(env.filters) if env is not None else []
        close = difflib.get_close_matches(name, pool, n=2, cutoff=0.7)
        out = f"模板使用了不存在的过滤器“{name}”"
        if close:
            return out + f"（是否想用：{'、'.join(close)}）"
        if env is not None and name in env.globals:
            return out + f"（{name} 是函数，应写作 {name}(…)）"
        return out + "（过滤器见 README《措辞词表》）"
    pool = sorted(env.tests) if env is not None else []
    close = difflib.get_close_matches(name, pool, n=2, cutoff=0.7)
    out = f"模板使用了不存在的测试“is {name}”"
    if close:
        return out + f"（是否想用：{'、'.join('is ' + c for c in close)}）"
    return out + "（可用的如 is defined、is none、is number、is string）"


def unknown_names(ast: nodes.Template, env: jinja2.Environment) -> list[tuple[str, int]]:
    """(message, line) for each filter (``x | name``) or test (``x is name``) the environment lacks.

    Jinja reports the first one only when compiling, and one inside ``{% if %}`` only when
    that branch runs: a check before the build has to look at every node."""
    out: list[tuple[str, int]] = []
    for n in ast.find_all((nodes.Filter, nodes.Test)):
        is_filter = isinstance(n, nodes.Filter)
        if n.name not in (env.filters if is_filter else env.tests):
            out.append((unknown_message("filter" if is_filter else "test", n.name, env), n.lineno))
    return out


def template_error(e: Exception, name: str, env: jinja2.Environment | None = None) -> BriefgenError:
    """Any error raised while rendering `name` as one Chinese :class:`BriefgenError` with the template
    line (`env`, when given, suggests the filter or test an unknown name was meant to be)."""
    unknown = _UNKNOWN.search(str(getattr(e, "message", None) or e)) \
        if isinstance(e, (jinja2.TemplateSyntaxError, jinja2.TemplateRuntimeError)) else None
    if unknown:
        # Compiling names the line; inside {% if %} Jinja raises only when the branch runs.
        line = e.lineno if isinstance(e, jinja2.TemplateSyntaxError) else _template_line(e, name)
        where = f"{getattr(e, 'filename', None) or name}:{line}" if line else name
        return BriefgenError(unknown_message(unknown[1], unknown[2], env), where=where)
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
