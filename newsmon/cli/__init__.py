"""The `newsmon` command: thin click commands over the library.

Errors the user can act on (NewsmonError) become one line on stderr and exit status 1, never a
traceback. JSON output shapes are documented in the README and stable.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from newsmon.cli.context import AppContext
from newsmon.errors import NewsmonError


class NewsmonGroup(click.Group):
    """Turns NewsmonError into click's one-line error, for every subcommand."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsmonError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=NewsmonGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Path of newsmon.toml (else NEWSMON_CONFIG).",
)
@click.version_option(package_name="newsmon")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """newsmon: monitor the press coverage of a topic.

    Example:

        newsmon import ../shared/seeds && newsmon articles list
    """
    ctx.obj = AppContext(config_path)
    ctx.call_on_close(ctx.obj.close)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


def _register() -> None:
    from newsmon.cli import (
        articles,
        crawl,
        database,
        demo,
        digest,
        extract,
        imports,
        run,
        serve,
        settings,
        sources,
        topics,
    )

    for module in (
        imports,
        articles,
        database,
        settings,
        extract,
        sources,
        crawl,
        topics,
        demo,
        digest,
        run,
        serve,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
