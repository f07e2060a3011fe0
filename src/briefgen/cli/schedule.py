"""`briefgen schedule`: the foreground scheduler and its log."""

from __future__ import annotations

import datetime as _dt
import logging
import sys
from pathlib import Path
from typing import Any

import click

from briefgen.batch.schedule import Clock, FakeClock, load_schedule, log, run_schedule, upcoming
from briefgen.cli.common import debug_option, guarded
from briefgen.errors import BriefgenError


def _setup_logging(log_file: Path | None) -> list[logging.Handler]:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
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
@debug_option
@guarded
def schedule_cmd(schedule_file: Path, once: bool, max_runs: int | None, now: str | None, list_next: int | None,
                 debug: bool) -> None:
    """按 SCHEDULE.yaml 中的 cron 时间在前台定时运行批量任务，并记录每次运行的日志。"""
    handlers: list[logging.Handler] = []
    try:
        sched = load_schedule(schedule_file)
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
