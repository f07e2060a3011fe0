"""Scheduled batches: `briefgen schedule SCHEDULE.yaml` runs jobs files on cron times.

The process stays in the foreground (for systemd, a terminal, Docker or the
Windows Task Scheduler "at startup" trigger) and logs every run. Cron
expressions are parsed by croniter; `first_workday` and `holidays` only filter
the times croniter yields. Runs missed while the machine slept are made up once
on waking, for the latest missed time, not once per missed time.

For tests and dry runs the clock can be faked: with `--now` time starts there
and jumps straight to each next run instead of sleeping.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefgen.batch import load_plan, run_batch
from briefgen.batch.plan import check_keys, load_top
from briefgen.errors import BriefgenError
from briefgen.periods import parse_as_of

_ENTRY_KEYS = {"name", "cron", "jobs", "out", "workers", "force", "as_of", "first_workday", "holidays",
               "workdays", "only", "enabled"}
_TOP_KEYS = {"timezone", "log", "runs"}
_MAX_SLEEP = 60.0  # re-read the clock at least this often (suspend, clock changes)
_SEARCH_LIMIT = 5000  # cron times examined when filters reject many of them

log = logging.getLogger("briefgen.schedule")


@dataclass
class Entry:
    """One scheduled run: a cron time, a jobs file, and the batch options."""

    name: str
    cron: str
    jobs: Path
    out: Path | None = None
    workers: int | None = None
    force: bool = False
    as_of: str = "run-date"  # run-date | a fixed ISO date
    first_workday: bool = False
    holidays: set[_dt.date] = field(default_factory=set)
    workdays: set[_dt.date] = field(default_factory=set)  # weekend days that are working days (调休)
    only: list[str] = field(default_factory=list)

    def is_workday(self, d: _dt.date) -> bool:
        """Monday–Friday except holidays, plus the weekend days listed as workdays (调休)."""
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def accepts(self, t: _dt.datetime) -> bool:
        """Whether a cron time passes the entry's filters (first working day of the month)."""
        if not self.first_workday:
            return True
        d = t.date()
        if not self.is_workday(d):
            return False
        first = d.replace(day=1)
        while not self.is_workday(first):
            first += _dt.timedelta(days=1)
        return d == first

    def next_after(self, t: _dt.datetime) -> _dt.datetime:
        """The first accepted cron time after `t`, by the wall clock as well as by real time.

        When clocks go back (end of daylight saving time), croniter yields 02:30 twice,
        an hour apart; a slot is its wall-clock time, so the repeat is skipped and each
        slot runs at most once.
        """
        from croniter import CroniterBadDateError, croniter  # lazy: only when a schedule is loaded

        it = croniter(self.cron, t)
        for _ in range(_SEARCH_LIMIT):
            try:
                nxt = it.get_next(_dt.datetime)
            except CroniterBadDateError:
                raise BriefgenError(f"“{self.name}”的 cron 表达式“{self.cron}”找不到下一次运行时间",
                                    hint="请检查日期和月份是否存在") from None
            if nxt.replace(tzinfo=None) <= t.replace(tzinfo=None):
                continue  # the repeated hour after clocks go back: this slot has had its turn
            if self.accepts(nxt):
                return nxt
        raise BriefgenError(f"“{self.name}”在很长时间内都没有符合条件的运行时间",
                            hint="请检查 cron 表达式与 first_workday")


@dataclass
class Schedule:
    """A schedule file: its runs, time zone and log file."""

    path: Path
    entries: list[Entry]
    tz: Any = None  # zoneinfo.ZoneInfo, or None for local time
    log_file: Path | None = None
    allow_paths: tuple[Path, ...] = ()  # folders outside the template roots templates may read (--allow-path)


def _date_set(v: Any, where: str) -> set[_dt.date]:
    out = set()
    for x in v or []:
        try:
            out.add(x if isinstance(x, _dt.date) else _dt.date.fromisoformat(str(x)))
        except ValueError:
            raise BriefgenError(f"日期“{x}”无效", where=where, hint="应写作 2024-10-01") from None
    return out


_FIELDS = ("分", "时", "日", "月", "周")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February as in a leap year


def check_cron(cron: str, where: str) -> None:
    """Refuse a cron expression that is malformed, has six fields (croniter would read
    the sixth as seconds and run every second) or can never fire (0 6 31 2 *)."""
    from croniter import CroniterBadDateError, croniter  # lazy: only when a schedule is loaded

    example = "五段：分 时 日 月 周，如 \"0 6 1 * *\" 表示每月1日6:00"
    fields = cron.split()
    if not cron.startswith("@") and len(fields) != 5:
        extra = "（第六段会被当作秒，每秒运行一次）" if len(fields) == 6 else ""
        raise BriefgenError(f"cron 表达式“{cron}”应有5段，实际有{len(fields)}段{extra}", where=where, hint=example)
    if not croniter.is_valid(cron):
        raise BriefgenError(f"cron 表达式“{cron}”无效", where=where, hint=example)
    try:
        croniter(cron, _dt.datetime(2000, 1, 1)).get_next(_dt.datetime)
    except CroniterBadDateError:
        raise BriefgenError(f"cron 表达式“{cron}”永远不会运行：{_never_reason(cron)}", where=where,
                            hint=example) from None


def _never_reason(cron: str) -> str:
    """Why a day-of-month × month combination never occurs (2月31日)."""
    from croniter import croniter  # lazy: only when a schedule is loaded

    try:
        _minute, _hour, days, months, _dow = croniter(cron).expanded
        months = list(range(1, 13)) if months == ["*"] else [int(m) for m in months]
        days = [int(d) for d in days if d != "*" and str(d).isdigit()]
    except (ValueError, TypeError):
        return "所写的日期不存在"
    if days and months and all(d > _MONTH_DAYS[m - 1] for m in months for d in days):
        return "、".join(f"{m}月" for m in months) + "没有" + "、".join(f"{d}日" for d in days)
    return "所写的日期不存在"


def load_schedule(path: str | Path) -> Schedule:
    """Read and check a schedule file; every problem is a Chinese error naming the key."""
    path = Path(path)
    top, rel = load_top(path, _TOP_KEYS, "定时任务文件")

    tz = None
    if top.get("timezone"):

        try:
            tz = ZoneInfo(str(top["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise BriefgenError(f"时区“{top['timezone']}”无效", where=f"{path}：timezone",
                                hint="如 Asia/Shanghai；Windows 上需要 pip install tzdata") from None
    entries = []
    runs = top.get("runs")
    if not isinstance(runs, list) or not runs:
        raise BriefgenError("缺少 runs:（定时运行的列表）", where=str(path))
    for i, r in enumerate(runs):
        where = f"{path}：runs[{i}]"
        r = check_keys(r, _ENTRY_KEYS, where)
        if r.get("enabled") is False:
            continue
        for key in ("cron", "jobs"):
            if not r.get(key):
                raise BriefgenError(f"缺少 {key}", where=where)
        cron = str(r["cron"]).strip()
        check_cron(cron, f"{where}.cron")
        jobs = rel(r["jobs"])
        if not jobs.exists():
            raise BriefgenError("找不到任务文件", where=f"{where}.jobs：{jobs}")
        as_of = str(r.get("as_of") or "run-date")
        if as_of != "run-date":
            try:
                parse_as_of(as_of)
            except BriefgenError as e:
                raise BriefgenError(f"as_of“{as_of}”无效：{e.message}", where=f"{where}.as_of",
                                    hint="写 run-date（运行当天，默认）或 2024-05-01 这样的日期") from None
        workers = r.get("workers")
        if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
            raise BriefgenError("workers 应为正整数", where=f"{where}.workers")
        entries.append(Entry(
            name=str(r.get("name") or jobs.stem), cron=cron, jobs=jobs,
            out=rel(r["out"]) if r.get("out") else None, workers=workers, force=bool(r.get("force", False)),
            as_of=as_of, first_workday=bool(r.get("first_workday", False)),
            holidays=_date_set(r.get("holidays"), f"{where}.holidays"),
            workdays=_date_set(r.get("workdays"), f"{where}.workdays"),
            only=[str(x) for x in (r.get("only") or [])],
        ))
    if not entries:
        raise BriefgenError("没有启用的定时运行", where=str(path))
    log_file = rel(top["log"]) if top.get("log") else None
    return Schedule(path=path, entries=entries, tz=tz, log_file=log_file)


class Clock:
    """Wall clock; `FakeClock` jumps instead of sleeping."""

    def __init__(self, tz: Any = None):
        self.tz = tz

    def now(self) -> _dt.datetime:
        """The current time in the schedule's time zone."""
        return _dt.datetime.now(self.tz) if self.tz else _dt.datetime.now().replace(microsecond=0)

    def sleep_until(self, t: _dt.datetime) -> None:
        """Sleep until `t`, waking at least once a minute to re-read the clock."""
        while True:
            left = (_instant(t) - _instant(self.now())).total_seconds()
            if left <= 0:
                return
            time.sleep(min(left, _MAX_SLEEP))


class FakeClock(Clock):
    """A clock for tests and dry runs: time starts at `start` and jumps instead of sleeping."""

    def __init__(self, start: _dt.datetime, tz: Any = None):
        super().__init__(tz)
        self.t = start.replace(tzinfo=tz) if (tz and start.tzinfo is None) else start

    def now(self) -> _dt.datetime:
        """The simulated time."""
        return self.t

    def sleep_until(self, t: _dt.datetime) -> None:
        """Jump to `t` at once."""
        self.t = max(self.t, t, key=_instant)


def run_entry(entry: Entry, when: _dt.datetime, runner: Callable[..., Any] | None = None,
              allow_paths: tuple[Path, ...] = ()) -> int:
    """One scheduled batch; returns its exit status and never raises."""

    as_of = when.date() if entry.as_of == "run-date" else parse_as_of(entry.as_of)
    log.info("开始运行“%s”：任务文件 %s，统计基准日 %s", entry.name, entry.jobs, as_of.isoformat())
    t0 = time.perf_counter()
    try:
        plan = load_plan(entry.jobs, entry.out, as_of, allow_paths=allow_paths)
        report = (runner or run_batch)(plan, workers=entry.workers, force=entry.force, only=entry.only)
    except BriefgenError as e:
        log.error("“%s”未能运行：%s", entry.name, e.render())
        return 1
    except Exception as e:  # noqa: BLE001 - the scheduler must survive any one run
        log.exception("“%s”内部错误：%s: %s", entry.name, type(e).__name__, e)
        return 2
    msg = (f"“{entry.name}”完成：生成 {len(report.built)} 份，跳过 {len(report.skipped)} 份，"
           f"失败 {len(report.failed)} 份，用时 {time.perf_counter() - t0:.1f} 秒，输出目录 {report.out}")
    (log.warning if report.failed or report.interrupted else log.info)(msg)
    for f in report.failed:
        log.warning("  失败 %s：%s", f["output"], f["reason"])
    if report.interrupted:
        raise KeyboardInterrupt  # Ctrl-C or SIGTERM during a run stops the scheduler too
    return report.exit_code


def upcoming(schedule: Schedule, start: _dt.datetime, count: int) -> list[tuple[_dt.datetime, Entry]]:
    """The next `count` run times of all entries after `start`, in order."""
    out: list[tuple[_dt.datetime, Entry]] = []
    for e in schedule.entries:
        t = start
        for _ in range(count):
            t = e.next_after(t)
            out.append((t, e))
    out.sort(key=lambda x: (x[0], x[1].name))
    return out[:count]


def run_schedule(schedule: Schedule, clock: Clock, *, max_runs: int | None = None, once: bool = False,
                 runner: Callable[..., Any] | None = None) -> int:
    """Run until `max_runs` batches have run (forever if None); worst exit status of the runs."""
    worst = 0
    runs = 0
    if once:
        now = clock.now()
        for e in schedule.entries:
            worst = max(worst, run_entry(e, now, runner, schedule.allow_paths))
        return worst
    start = clock.now()
    nxt = {id(e): e.next_after(start) for e in schedule.entries}
    for e in schedule.entries:
        log.info("已加载“%s”（cron %s%s），下次运行 %s", e.name, e.cron,
                 "，仅每月第一个工作日" if e.first_workday else "", nxt[id(e)].isoformat(sep=" "))
    while max_runs is None or runs < max_runs:
        due_at = min(nxt.values(), key=_instant)
        clock.sleep_until(due_at)
        now = clock.now()
        for e in schedule.entries:
            if _instant(nxt[id(e)]) <= _instant(now) and (max_runs is None or runs < max_runs):
                # Woken late (suspend, a long run): make up only the latest missed time,
                # like systemd's Persistent=true, so relative periods are the newest.
                when = nxt[id(e)]
                while _instant(later := e.next_after(when)) <= _instant(now):
                    when = later
                worst = max(worst, run_entry(e, when, runner, schedule.allow_paths))
                runs += 1
                # From now, not from the missed time: a long sleep makes up one run, not all.
                nxt[id(e)] = e.next_after(max(now, clock.now(), key=_instant))
                log.info("“%s”下次运行 %s", e.name, nxt[id(e)].isoformat(sep=" "))
    return worst


def _instant(t: _dt.datetime) -> Any:
    """A sort key in real time: aware datetimes sharing a time zone compare by wall clock
    in Python, which is wrong across a daylight-saving change."""
    return t.astimezone(_dt.timezone.utc) if t.tzinfo is not None else t

