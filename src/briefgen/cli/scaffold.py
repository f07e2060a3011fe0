"""`briefgen templates` and `briefgen init`."""

from __future__ import annotations

from pathlib import Path

import click

from briefgen.cli.common import debug_option, guarded
from briefgen.scaffold import scaffold
from briefgen.templates import list_templates, search_roots


@click.command("templates")
@click.option("--templates", "extra", multiple=True, type=click.Path(path_type=Path), help="额外的模板目录")
@debug_option
@guarded
def templates_cmd(extra: tuple[Path, ...], debug: bool) -> None:
    """列出可用的模板及其来源。"""
    from rich.console import Console  # lazy: rich only when printing tables
    from rich.table import Table  # lazy: rich only when printing tables

    t = Table(title="可用模板")
    for col in ("名称", "说明", "继承", "来源", "位置"):
        t.add_column(col)
    for tpl in list_templates(search_roots(list(extra))):
        t.add_row(tpl.name, f"{tpl.title}：{tpl.description}" if tpl.description else tpl.title,
                  str(tpl.data.get("extends") or "—"), tpl.source, str(tpl.path))
    Console().print(t)


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--template", "base", default="base", show_default=True, help="要继承的模板名称")
@click.option("--as", "local", default=None, help="新模板的名称（默认：<模板>-local）")
@click.option("--organ", default=None, help="编发单位名称，如 远安县科学技术局（不写时取文件夹名，如 远安县科技局）")
@click.option("--region", default=None, help="本地区名称，如 远安县（不写时取编发单位名称开头的地名）")
@click.option("--templates", "extra", multiple=True, type=click.Path(path_type=Path), help="额外的模板目录")
@debug_option
@guarded
def init_cmd(folder: Path, base: str, local: str | None, organ: str | None, region: str | None,
             extra: tuple[Path, ...], debug: bool) -> None:
    """在 FOLDER 中为新部门生成配置、数据样例和模板覆盖文件（可直接生成简报）。"""

    written, todo = scaffold(folder, base, local=local, organ=organ, region=region, extra=list(extra))
    for p in written:
        click.echo(f"已创建 {p}")
    if todo:
        click.echo(f"请先在 {folder / 'briefing.yaml'} 中填写：{'、'.join(todo)}（或用 --region、--organ 重新生成）；"
                   "未填写时 validate 和 build 会给出警告")
    click.echo(f"下一步：briefgen build {folder / 'briefing.yaml'}")
