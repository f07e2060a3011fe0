"""`briefgen inspect FILE [--sheet S]`: how a data file is understood, and a config snippet."""

from __future__ import annotations

from pathlib import Path

import click

from briefgen.cli.common import debug_option, guarded
from briefgen.inspection import inspect_file, render


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sheet", default=None, help="只看这个工作表（默认看工作簿中的全部工作表）")
@click.option("--period", default=None, help="表格标题中没有写时期时，“本期/上年同期”所指的时期，如 2022年1—9月")
@debug_option
@guarded
def inspect_cmd(file: Path, sheet: str | None, period: str | None, debug: bool) -> None:
    """看 briefgen 怎样理解一个数据文件（CSV、XLSX、YAML/JSON）：表格结构及判断依据、指标和单位、地区、
    时期及类型、数值个数、忽略了什么；最后给出可粘贴到配置中的 data:、metrics: 片段。"""

    click.echo(render(inspect_file(file, sheet, period, shown_as=str(file))))
