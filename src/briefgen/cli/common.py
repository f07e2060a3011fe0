"""What every command shares: the one error funnel and the common options.

Every expected failure ends in one Chinese sentence and exit status 1; anything
else is an internal error (exit 2) with a request to rerun with --debug. A
traceback only with --debug.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, TypeVar

import click

from briefgen.safety import quiet_unraisable, user_error

F = TypeVar("F", bound=Callable[..., Any])


def fail(e: BaseException, debug: bool) -> NoReturn:
    """Print `e` the way a user should see it and exit (re-raise it with --debug).

    Faults a user causes — a read-only or full disk, a missing permission, input
    nested too deeply — are told in Chinese with exit status 1 like any input error.
    """
    if debug:
        raise e
    lines, code = error_lines(e)
    for _stream, text, color in lines:
        click.secho(text, fg=color, err=True)
    sys.exit(code)


Line = tuple[str, str, "str | None"]  # (stream "out" | "err", text, colour)


def error_lines(e: BaseException) -> tuple[list[Line], int]:
    """What :func:`fail` prints for `e` without --debug, and the exit status (the build server
    sends the same lines to its client)."""
    known = user_error(e)
    if known is not None:
        return [("err", f"错误：{known.render()}", "red")], 1
    return [("err", f"内部错误：{type(e).__name__}: {e}", "red"),
            ("err", "请加 --debug 重新运行以查看详细信息，并将输出反馈给维护者。", None)], 2


def guarded(fn: F) -> F:
    """Run a command body through :func:`fail`; the command must take a `debug` flag."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("debug"):
            quiet_unraisable()
        try:
            return fn(*args, **kwargs)
        except (KeyboardInterrupt, SystemExit, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as e:  # noqa: BLE001 - the one place errors become messages
            fail(e, bool(kwargs.get("debug")))

    return wrapper  # type: ignore[return-value]


def debug_option(fn: F) -> F:
    """--debug: show the full traceback instead of one sentence."""
    return click.option("--debug", is_flag=True, help="出错时显示完整的调用栈")(fn)


def templates_option(fn: F) -> F:
    """--templates DIR (repeatable): more department template folders, searched first."""
    return click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path),
                        help="额外的模板目录（优先于项目 templates/）")(fn)


def overrides_option(fn: F) -> F:
    """--set KEY=VALUE (repeatable): override config keys for this run."""
    return click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                        help="覆盖配置项，如 --set period=2022")(fn)


def allow_path_option(fn: F) -> F:
    """--allow-path DIR (repeatable): a folder outside the template roots that templates may read."""
    return click.option("--allow-path", "allow_paths", multiple=True, metavar="DIR",
                        type=click.Path(path_type=Path, file_okay=False),
                        help="允许模板读取该目录中的文件（信笺、字体、include 的模板）；"
                             "默认只允许配置文件所在目录、部门模板目录和内置模板")(fn)
