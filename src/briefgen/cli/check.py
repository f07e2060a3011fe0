"""`briefgen validate` and `briefgen schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from briefgen.cli.common import allow_path_option, debug_option, guarded, overrides_option, templates_option
from briefgen.errors import BriefgenError
from briefgen.files import atomic_write
from briefgen.schema import config_schema
from briefgen.validate import validate


@click.command("validate")
@click.argument("config", type=click.Path(path_type=Path))
@overrides_option
@templates_option
@allow_path_option
@click.option("--strict", is_flag=True, help="有警告也以非零状态退出（适合持续集成）")
@debug_option
@guarded
def validate_cmd(config: Path, overrides: tuple[str, ...], templates: tuple[Path, ...],
                 allow_paths: tuple[Path, ...], strict: bool, debug: bool) -> None:
    """检查配置 CONFIG 及其数据、指标、模板、图表和字体，不生成任何文件。"""

    report = validate(config, list(overrides), list(templates), allow_paths)
    for item in report.checked:
        click.echo(f"✓ {item}")
    for note in report.notes:
        click.echo(f"说明：{note}")
    for w in report.warnings:
        click.secho(f"警告：{w}", fg="yellow", err=True)
    for e in report.errors:
        click.secho(f"错误：{e}", fg="red", err=True)
    if report.errors:
        click.echo(f"检查未通过：共{len(report.errors)}处错误。", err=True)
        sys.exit(1)
    if strict and report.warnings:
        click.echo(f"检查未通过（--strict）：共{len(report.warnings)}条警告。", err=True)
        sys.exit(1)
    click.echo(f"检查通过：{config}" + (f"（{len(report.warnings)}条警告）" if report.warnings else ""))


@click.command("schema")
@click.option("--out", "out", type=click.Path(path_type=Path), help="写入文件（UTF-8），不写则输出到屏幕")
@debug_option
@guarded
def schema_cmd(out: Path | None, debug: bool) -> None:
    """输出配置文件的 JSON Schema，供编辑器（如 VS Code 的 YAML 插件）补全和检查键名。"""

    text = json.dumps(config_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    if out.is_dir():
        raise BriefgenError(f"这是一个文件夹，请给出要写入的文件名，如 {out / 'briefgen.schema.json'}", where=str(out))
    # Same rule as documents: never a half-written file.
    atomic_write(out, text)
    click.echo(f"已生成 {out}")
