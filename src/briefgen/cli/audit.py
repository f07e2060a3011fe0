"""`briefgen check`: the figures of a (possibly hand-edited) DOCX or PDF against the data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from briefgen.cli.common import debug_option, guarded, overrides_option, templates_option
from briefgen.pipeline import check_document

_KIND = {"changed": "与数据不符", "reformatted": "写法不同（数值一致）", "added": "新增的数字", "missing": "缺少的数字"}
_MARK = {"error": ("✗", "red"), "warning": ("!", "yellow"), "note": ("·", None)}


@click.command("check")
@click.argument("document", type=click.Path(path_type=Path))
@click.option("--config", "config", required=True, type=click.Path(path_type=Path),
              help="生成该文档的配置文件（按它重新计算，不写入任何文件）")
@overrides_option
@templates_option
@click.option("--strict", is_flag=True, help="有警告（如数字被删去、年份被改）也以非零状态退出")
@click.option("--quiet", "-q", is_flag=True, help="只列出与数据不符的数字")
@debug_option
@guarded
def check_cmd(document: Path, config: Path, overrides: tuple[str, ...], templates: tuple[Path, ...],
              strict: bool, quiet: bool, debug: bool) -> None:
    """核对文档 DOCUMENT（.docx 或 .pdf，可以是人工修改过的）中的每个数字：与按 --config 重新计算的数据比对，
    列出被改动、删去或新增的数字及其位置和数据中的值；有与数据不符的数字时以状态 1 退出。"""

    report = check_document(document, config, list(overrides), list(templates))
    click.echo(f"核对 {document}（按 {config} 重新计算，未写入任何文件）")
    untraced = f"，与重新生成的一致但未能溯源（模板中自行计算）{report.untraced} 个" if report.untraced else ""
    click.echo(f"文中数字 {report.figures} 个：与数据、配置或模板一致 {report.confirmed} 个，"
               f"年份、期号、图表编号等 {report.excepted} 个{untraced}。")
    for f in report.findings:
        if quiet and f.severity != "error":
            continue
        mark, color = _MARK[f.severity]
        head = f"{mark} {_KIND[f.kind]}：{f.where}"
        click.secho(head, fg=color, err=False)
        if f.found is not None:
            click.echo(f"    文中：“{f.found.context}”")
        elif f.row is not None:
            click.echo(f"    原为：“{f.row.context}”")
        if f.kind in ("changed", "reformatted") and f.found is not None and f.row is not None:
            click.echo(f"    文中为 {f.found.text}，{f.data_says()}")
        elif f.kind == "missing":
            click.echo(f"    文档中已没有这个数字；{f.data_says()}")
        elif f.kind == "added" and f.severity == "error":
            click.echo("    数据中没有这个数字的依据（重新生成的文档里没有它）")
    errors = len(report.errors)
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    if errors:
        click.secho(f"核对未通过：{errors}处数字与数据不符或没有依据"
                    + (f"，另有{warnings}处警告" if warnings else "") + "。", fg="red", err=True)
        sys.exit(1)
    if strict and warnings:
        click.secho(f"核对未通过（--strict）：{warnings}处警告。", fg="yellow", err=True)
        sys.exit(1)
    click.echo("核对通过：文中数字与数据一致" + (f"（{warnings}处警告）" if warnings else "") + "。")
