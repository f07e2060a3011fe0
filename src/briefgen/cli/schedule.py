"""`briefgen schedule`: the foreground scheduler and its log."""

from __future__ import annotations

import datetime as _dt
import logging
import sys
from pathlib import Path
from typing import Any

import click

from briefgen.batch.schedule import Clock, FakeClock, load_schedule, log, run_schedule, upcoming
from briefgen.cli.common import allow_path_option, debug_option, guarded
from briefgen.errors import BriefgenError
from briefgen.files import os_error


class _LogFile(logging.FileHandler):
    """The schedule's log file; when a line cannot be written (disk full, file removed
    read-only) it says so once on stderr in Chinese instead of printing a traceback
    for every line, and the scheduler goes on."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """Report the first failed write, quietly drop the rest."""
        self._warn(sys.exc_info()[1])

    def flush(self) -> None:
        """Flush; a failure (the handler is closing on a full disk) is reported like a failed line."""
        try:
            super().flush()
        except OSError as e:
            self._warn(e)

    def close(self) -> None:
        """Close; the last buffered lines may fail to reach a full disk too."""
        try:
            super().close()
        except OSError as e:
            self._warn(e)

    def _warn(self, e: BaseException | None) -> None:
        if not self.failed:
            self.failed = True
            why = os_error(e, self.baseFilename, "写入日志文件") if isinstance(e, OSError) else e
            click.secho(f"警告：{why}；以后的日志只显示在屏幕上", fg="yellow", err=True)


def _setup_logging(log_file: Path | None) -> list[logging.Handler]:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(_LogFile(log_file, encoding="utf-8"))
        except OSError as e:
            raise os_error(e, log_file, "打开日志文件") from None
    for h in handlers:
        h.setFormatter(fmt)
        log.addHandler(h)
    log.setLevel(logging.INFO)
    log.propagate = False
    return handlers


def _parse_now(text: str, tz: Any) -> _dt.datetime:
    try:
        t = _dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise BriefgenError(f"--now 时间“{text}”无效", hint="应写作 2024-05-01T05:59") from None
    return t.replace(tzinfo=tz) if tz and t.tzinfo is None else t


@click.command("schedule")
@click.argument("schedule_file", metavar="SCHEDULE.yaml", type=click.Path(path_type=Path))
@click.option("--once", is_flag=True, help="不等待，立即把每个定时运行各执行一次后退出")
@click.option("--max-runs", type=click.IntRange(1), help="执行这么多次运行后退出")
@click.option("--now", "now", metavar="DATETIME",
              help="模拟时钟：从该时间开始，跳过等待（测试用，须配合 --max-runs 或 --once）")
@click.option("--list", "list_next", type=click.IntRange(1, 1000), metavar="N", help="只列出接下来 N 次运行时间")
@allow_path_option
@debug_option
@guarded
def schedule_cmd(schedule_file: Path, once: bool, max_runs: int | None, now: str | None, list_next: int | None,
                 allow_paths: tuple[Path, ...], debug: bool) -> None:
    """按 SCHEDULE.yaml 中的 cron 时间在前台定时运行批量任务，并记录每次运行的日志。"""
    handlers: list[logging.Handler] = []
    try:
        sched = load_schedule(schedule_file)
        sched.allow_paths = tuple(allow_paths)
        clock: Clock = FakeClock(_parse_now(now, sched.tz), sched.tz) if now else Clock(sched.tz)
        if list_next:
            for t, e in upcoming(sched, clock.now(), list_next):
                click.echo(f"{t.isoformat(sep=' ')}  {e.name}")
            return
        if now and not (max_runs or once):
            raise BriefgenError("使用 --now 模拟时钟时，请同时指定 --max-runs 或 --once")
        handlers = _setup_logging(sched.log_file)
        code = run_schedule(sched, clock, max_runs=max_runs, once=once)
    except KeyboardInterrupt:
        log.info("已停止定时运行")
        sys.exit(130)
    finally:
        for h in handlers:
            log.removeHandler(h)
            h.close()
    sys.exit(code)
