"""The command line: `briefgen build`, `validate`, `check`, `batch`, `schedule`, … .

Subcommands are imported only when run, so `briefgen build` never loads the
batch machinery. The library never imports this package.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from briefgen import __version__

# name → "module:command"
COMMANDS: dict[str, str] = {
    "build": "briefgen.cli.build:build_cmd",
    "fonts": "briefgen.cli.build:fonts_cmd",
    "templates": "briefgen.cli.scaffold:templates_cmd",
    "init": "briefgen.cli.scaffold:init_cmd",
    "batch": "briefgen.cli.batch:batch_cmd",
    "schedule": "briefgen.cli.schedule:schedule_cmd",
    "inspect": "briefgen.cli.inspect:inspect_cmd",
    "validate": "briefgen.cli.check:validate_cmd",
    "schema": "briefgen.cli.check:schema_cmd",
    "check": "briefgen.cli.audit:check_cmd",
    "serve": "briefgen.cli.serve:serve_cmd",
}


#: What Ctrl-C prints when the command did not say more itself (build and batch do).
INTERRUPTED_ANY = "已中断。"


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, in the order of :data:`COMMANDS`."""
        return list(COMMANDS)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the chosen command; Ctrl-C anywhere in it (also while it loads) ends with a
        Chinese message and status 130 instead of click's English "Aborted!" and 1."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.secho(INTERRUPTED_ANY, fg="yellow", err=True)
            ctx.exit(130)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The command `name`, imported now."""
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        cmd: Any = getattr(importlib.import_module(module), attr)
        return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """briefgen：由统计数据自动生成符合 GB/T 9704-2012 的政务简报（DOCX + PDF）。"""
