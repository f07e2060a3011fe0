"""Command line: `briefgen build`, `briefgen fonts`, ...

Every expected failure ends in one Chinese sentence and a non-zero exit;
a traceback only with --debug.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from briefgen import __version__
from briefgen.errors import BriefgenError


def _fail(e: BaseException, debug: bool) -> None:
    if debug:
        raise e
    if isinstance(e, BriefgenError):
        click.secho(f"错误：{e.render()}", fg="red", err=True)
        sys.exit(1)
    click.secho(f"内部错误：{type(e).__name__}: {e}", fg="red", err=True)
    click.echo("请加 --debug 重新运行以查看详细信息，并将输出反馈给维护者。", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """briefgen：由统计数据自动生成符合 GB/T 9704-2012 的政务简报（DOCX + PDF）。"""


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(path_type=Path),
              help="输出目录")
@click.option("--format", "fmt", default="docx,pdf", show_default=True, help="输出格式，逗号分隔")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="覆盖配置项，如 --set period=2022")
@click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path),
              help="额外的模板目录（优先于项目 templates/）")
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈")
def build(config: Path, out_dir: Path, fmt: str, overrides: tuple[str, ...], templates: tuple[Path, ...],
          debug: bool) -> None:
    """按配置文件 CONFIG 生成简报。"""
    from briefgen.pipeline import build as run_build, parse_formats

    t0 = time.perf_counter()
    try:
        result = run_build(config, out_dir, parse_formats(fmt), list(overrides), list(templates))
    except KeyboardInterrupt:
        click.secho("已中断：本次没有写入任何文件，原有输出保持不变。", fg="yellow", err=True)
        sys.exit(130)
    except (BriefgenError, Exception) as e:  # noqa: BLE001
        _fail(e, debug)
        return
    for w in result.warnings:
        click.secho(f"警告：{w}", fg="yellow", err=True)
    for p in result.outputs:
        click.echo(f"已生成 {p}")
    click.echo(f"用时 {time.perf_counter() - t0:.2f} 秒")


@main.command()
@click.option("--config", type=click.Path(path_type=Path), help="按该配置中的字体设置解析")
@click.option("--debug", is_flag=True)
def fonts(config: Path | None, debug: bool) -> None:
    """列出每个字体角色实际使用的字体文件及原因。"""
    from briefgen import fonts as fontmod
    from briefgen.config import load_config

    try:
        overrides = load_config(config).model.fonts if config else None
        chains = fontmod.resolve_fonts(overrides or None)
        rows = fontmod.describe(chains)
    except (BriefgenError, Exception) as e:  # noqa: BLE001
        _fail(e, debug)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="字体解析结果")
    for col in ("角色", "字体", "文件", "原因", "回退字体"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r.get("role", "")), str(r.get("family", "")), str(r.get("path", "")),
                  str(r.get("reason", "")), "、".join(str(x) for x in r.get("fallbacks", [])))
    Console().print(t)


def _register() -> None:
    from briefgen.scaffold import init_cmd, templates_cmd

    main.add_command(templates_cmd)
    main.add_command(init_cmd)
    from briefgen.validate import schema_cmd, validate_cmd

    main.add_command(validate_cmd)
    main.add_command(schema_cmd)


_register()


def _register_batch() -> None:
    from briefgen.batch import batch_cmd
    from briefgen.schedule import schedule_cmd

    main.add_command(batch_cmd)
    main.add_command(schedule_cmd)


_register_batch()


if __name__ == "__main__":
    main()
