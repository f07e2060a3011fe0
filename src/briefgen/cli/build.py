"""`briefgen build` and `briefgen fonts`."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import click

from briefgen.cli.common import Line, allow_path_option, debug_option, guarded, overrides_option, templates_option
from briefgen.config import load_config
from briefgen.fonts import describe, resolve_fonts
from briefgen.pipeline import BuildResult, build
from briefgen.server.client import INTERRUPTED
from briefgen.writers import parse_formats


@click.command("build")
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(path_type=Path),
              help="输出目录")
@click.option("--format", "fmt", default="docx,pdf", show_default=True, help="输出格式，逗号分隔")
@overrides_option
@templates_option
@click.option("--audit", is_flag=True, help="同时生成数据核对工作簿 <name>.audit.xlsx（每个数字的数值、算法和来源）")
@allow_path_option
@debug_option
@guarded
def build_cmd(config: Path, out_dir: Path, fmt: str, overrides: tuple[str, ...], templates: tuple[Path, ...],
              audit: bool, allow_paths: tuple[Path, ...], debug: bool) -> None:
    """按配置文件 CONFIG 生成简报。"""

    t0 = time.perf_counter()
    gc.freeze()  # what is loaded stays: never walked by the collector (see briefgen.__main__)
    gc.enable()
    try:
        result = build(config, out_dir, parse_formats(fmt), list(overrides), list(templates), allow_paths,
                       audit=audit or None)
    except KeyboardInterrupt:
        click.secho(INTERRUPTED, fg="yellow", err=True)
        sys.exit(130)
    for stream, text, color in report_lines(result):
        click.secho(text, fg=color, err=stream == "err")
    click.echo(f"用时 {time.perf_counter() - t0:.2f} 秒")


def report_lines(result: BuildResult) -> list[Line]:
    """What a successful build prints before its time: warnings, the files written, and the
    audit's count of traced numbers when one was asked for."""
    lines: list[Line] = [("err", f"警告：{w}", "yellow") for w in result.warnings]
    lines += [("out", f"已生成 {p}", None) for p in result.outputs]
    if result.report is not None:
        counts = result.report.counts()
        kinds = [(k, counts.get(k, 0)) for k in ("数据", "配置", "模板原文") if counts.get(k)]
        other = sum(counts.values()) - sum(n for _k, n in kinds) - counts.get("未溯源", 0)
        line = (f"数据核对：文中数字 {sum(counts.values())} 个，有来源 {sum(n for _k, n in kinds)} 个（"
                + "、".join(f"{k} {n}" for k, n in kinds) + f"），年份、期号、图表编号、坐标轴刻度等 {other} 个")
        if counts.get("未溯源"):
            line += f"，未能溯源 {counts['未溯源']} 个（见工作簿“警告”）"
        lines.append(("out", line + "。", None))
    return lines


@click.command("fonts")
@click.option("--config", type=click.Path(path_type=Path), help="按该配置中的字体设置解析")
@debug_option
@guarded
def fonts_cmd(config: Path | None, debug: bool) -> None:
    """列出每个字体角色实际使用的字体文件及原因。"""
    from rich.console import Console  # lazy: rich only when printing tables
    from rich.table import Table  # lazy: rich only when printing tables

    cfg = load_config(config) if config else None
    chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path)) if cfg \
        else resolve_fonts(None)
    console = Console()
    t = Table(title="字体解析结果（PDF 嵌入的字体；DOCX 只写字体名）", show_lines=True)
    for col in ("角色", "PDF 字体", "文件", "原因", "DOCX 字体名"):
        t.add_column(col, overflow="fold")
    rows = describe(chains)
    for r in rows:
        style = "" if r["style"] in ("", "Regular") else f" {r['style']}"
        t.add_row(f"{r['role']}\n{r['role_label']}", f"{r['family']}{style}", str(r["path"]), str(r["reason"]),
                  str(r["docx_name"]))
    console.print(t)
    for r in rows:
        if r["fallbacks"]:
            console.print(f"{r['role_label']} 缺字时依次改用：" + "、".join(str(x) for x in r["fallbacks"]),
                          overflow="fold")
    licences = sorted({r["licence"] for r in rows if r["licence"]})
    if licences:
        console.print("随 briefgen 附带的字体及其许可证（SIL OFL 1.1）：" + "、".join(licences), overflow="fold")
