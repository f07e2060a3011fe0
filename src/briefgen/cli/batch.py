"""`briefgen batch`: progress display and summary around :func:`briefgen.batch.run_batch`."""

from __future__ import annotations

import fnmatch
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefgen.batch.pool import start_early
from briefgen.cli.common import allow_path_option, debug_option, guarded
from briefgen.periods import parse_as_of

if TYPE_CHECKING:
    from briefgen.batch import Report


def shown_path(p: Path) -> str:
    """A folder as the user should read it: `..` resolved, relative to the current folder when inside it
    (seeds/../output/batch-demo → output/batch-demo)."""
    full = Path(os.path.abspath(p))
    try:
        return full.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(full)


def _print_summary(report: Report, console: Any, verbose: bool) -> None:
    from rich.table import Table  # lazy: rich only when printing tables
    from rich.text import Text  # lazy: rich only when printing tables

    rate = len(report.built) / report.seconds if report.seconds > 0 and report.built else 0.0
    t = Table(title="批量生成结果", show_header=True)
    t.add_column("项目")
    t.add_column("数量", justify="right")
    t.add_column("说明")
    t.add_row("任务", str(report.total), Text(shown_path(report.out)))
    t.add_row("生成", str(len(report.built)), f"{rate:.2f} 份/秒" if report.built else "")
    t.add_row("跳过", str(len(report.skipped)),
              "输入未变化且文件完好（--force 可强制重新生成）" if report.skipped else "")
    t.add_row("失败", str(len(report.failed)), "见下表" if report.failed else "",
              style="red" if report.failed else None)
    if report.warnings:
        t.add_row("警告", str(len(report.warnings)), "详见 manifest.json")
    t.add_row("用时", f"{report.seconds:.2f} 秒",
              f"{report.workers} 个工作进程" + (f"，单进程峰值内存 {report.worker_peak_rss_mb:.0f} MB"
                                            if report.worker_peak_rss_mb else ""))
    console.print(t)
    if report.failed:
        ft = Table(title="失败的任务", show_header=True, title_style="bold red")
        ft.add_column("输出")
        ft.add_column("原因", overflow="fold")
        for f in report.failed:
            ft.add_row(Text(f["output"]), Text(f["reason"]))  # data text, never markup
        console.print(ft)
        for f in report.failed:
            if f.get("traceback"):
                console.print(f["traceback"], markup=False, highlight=False)
    if report.warnings and verbose:
        for w in report.warnings:
            console.print(f"警告：{w}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    if report.not_run:
        console.print(f"未运行的任务共{len(report.not_run)}个（输出目录无法写入），已列在上表和 manifest.json 中；"
                      "处理后重新运行同一命令即可继续。", style="red", markup=False, soft_wrap=True)
    if report.manifest_error:
        console.print(f"错误：{report.manifest_error}（下次运行将重新生成全部文件）", style="red", markup=False,
                      soft_wrap=True)
    if report.interrupted:
        console.print("[red]已中断：已完成的文件完好，重新运行同一命令即可继续生成其余部分。[/]")


def run_cli(jobs_file: Path, out: Path | None, workers: int | None, as_of: str | None, force: bool,
            only: tuple[str, ...], templates: tuple[Path, ...], dry_run: bool, quiet: bool,
            verbose: bool, debug: bool, allow_paths: tuple[Path, ...] = (), timeout: float | None = None,
            pool_starting: bool = False) -> int:
    """The `briefgen batch` command body; returns the exit status."""
    from rich.console import Console  # lazy: rich only when printing tables
    from rich.markup import escape  # lazy: rich only when printing tables

    # The pipeline is imported here, after the workers' fork server was started (see batch_cmd).
    from briefgen.batch import load_plan, run_batch

    console = Console(stderr=False, highlight=False)
    plan = load_plan(jobs_file, out, parse_as_of(as_of), templates, allow_paths, timeout)
    if dry_run:
        report = run_batch(plan, workers=workers, force=force, only=only, dry_run=True)
        todo = {b["output"] for b in report.built}
        for job in plan.jobs:
            if only and not any(fnmatch.fnmatchcase(job.output, p) for p in only):
                continue
            verb = "生成" if job.output in todo else "跳过"
            console.print(f"{verb}  {job.output}  ← {job.config.name}  "
                          f"{job.region or ''} {job.fields.get('period_code', '')}".rstrip(), markup=False)
        console.print(f"共 {report.total} 份：需生成 {len(todo)} 份，跳过 {len(report.skipped)} 份。", markup=False)
        return 0
    interactive = console.is_terminal and not quiet
    progress = None
    task = None
    state = {"done": 0, "total": 0}

    def on_event(kind: str, data: dict[str, Any]) -> None:
        nonlocal progress, task
        if kind == "plan":
            state["total"] = data["todo"]
            if data["todo"] and interactive:
                from rich.progress import (  # lazy: rich only when printing tables
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )

                progress = Progress(TextColumn("[bold]批量生成"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
                                    TextColumn("{task.description}"), console=console, transient=False)
                progress.start()
                task = progress.add_task("", total=data["todo"])
            elif not quiet:
                console.print(f"共 {data['total']} 份：需生成 {data['todo']} 份，跳过 {data['skipped']} 份（未变化）。",
                              markup=False, soft_wrap=True)
        elif kind in ("done", "failed"):
            state["done"] += 1
            job = data["job"]
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=job.output)
                if kind == "failed":
                    progress.console.print(f"[red]失败[/] {escape(job.output)}：{escape(data['reason'])}",
                                           highlight=False)
            elif not quiet:
                if kind == "failed":
                    console.print(f"[{state['done']}/{state['total']}] 失败 {job.output}：{data['reason']}",
                                  markup=False, style="red", soft_wrap=True)
                else:
                    console.print(f"[{state['done']}/{state['total']}] 完成 {job.output}"
                                  f"（{data['result'].get('seconds', 0):.2f} 秒）", markup=False, soft_wrap=True)

    try:
        report = run_batch(plan, workers=workers, force=force, only=only, debug=debug, on_event=on_event,
                           pool_starting=pool_starting)
    finally:
        if progress is not None:
            progress.stop()
    if not quiet or not report.ok:
        _print_summary(report, console, verbose)
    return report.exit_code


@click.command("batch")
@click.argument("jobs_file", metavar="JOBS.yaml", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), help="输出目录（默认取任务文件中的 output:）")
@click.option("--jobs", "-j", "workers", type=click.IntRange(1, 256), help="并行的工作进程数（默认：CPU 核数）")
@click.option("--as-of", "as_of", metavar="DATE", help="相对时期（last-month 等）的基准日期，默认今天")
@click.option("--force", is_flag=True, help="忽略增量记录，全部重新生成")
@click.option("--only", multiple=True, metavar="GLOB", help="只生成输出路径匹配的任务，如 --only '宜都市/*'")
@click.option("--templates", multiple=True, type=click.Path(path_type=Path), help="额外的部门模板目录")
@click.option("--dry-run", is_flag=True, help="只列出将要生成和跳过的任务，不生成")
@click.option("--quiet", "-q", is_flag=True, help="只在出错时输出")
@click.option("--verbose", "-v", is_flag=True, help="列出每条警告")
@click.option("--timeout", type=click.FloatRange(min=1), metavar="SECONDS",
              help="单份简报最长运行时间（秒），超时记为失败；默认取任务文件中的 timeout:，再默认600秒")
@allow_path_option
@debug_option
@guarded
def batch_cmd(jobs_file: Path, out: Path | None, workers: int | None, as_of: str | None, force: bool,
              only: tuple[str, ...], templates: tuple[Path, ...], dry_run: bool, quiet: bool, verbose: bool,
              timeout: float | None, allow_paths: tuple[Path, ...], debug: bool) -> None:
    """按任务文件 JOBS.yaml 批量生成简报（并行、增量、可中断后续跑）。"""
    # A first run needs the worker pool: its server imports the libraries while this process
    # imports the pipeline and reads the plan.
    starting = not dry_run and not only and start_early(jobs_file, out, workers, force)
    sys.exit(run_cli(jobs_file, out, workers, as_of, force, only, templates, dry_run, quiet, verbose, debug,
                     allow_paths, timeout, pool_starting=starting))
