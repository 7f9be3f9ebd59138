"""`newsmon sources list|add|remove|enable|disable|check`: the shipped and the user's sources.

Every subcommand first syncs the shipped list into the store (see ``newsmon.sources``), so what
it shows and changes is what the crawler will use.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click

from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.dates import format_date
from newsmon.sources import CrawlState, SourceRegistry, load_sources, open_registry, parse_source


def _registry(app: AppContext) -> SourceRegistry:
    """The store's sources, synced with the configured (or shipped) list."""
    return open_registry(app.store, load_sources(app.config.sources_file))


def _local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return format_date(moment.replace(tzinfo=UTC), "minute", tz) if moment else None


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def state_json(state: CrawlState, tz: ZoneInfo) -> dict[str, object]:
    """The stable JSON shape of one source in `newsmon sources check --json`."""
    return {
        "name": state.name,
        "kind": state.kind,
        "enabled": state.enabled,
        "health": state.health,
        "last_crawled_at": _local(state.last_crawled_at, tz),
        "last_outcome": state.last_outcome,
        "last_error": state.last_error,
        "consecutive_failures": state.consecutive_failures,
        "next_attempt_at": _local(state.next_attempt_at, tz),
    }


@click.group("sources")
def sources_group() -> None:
    """The feeds, news sitemaps and searches the crawler reads."""


@sources_group.command("list")
@click.option("--all", "include_disabled", is_flag=True, help="Include disabled sources.")
@click.option("--json", "as_json", is_flag=True, help="JSON array of sources (see README).")
@click.pass_obj
def list_command(app: AppContext, include_disabled: bool, as_json: bool) -> None:
    """Shipped and user-added sources by name (enabled ones only, unless --all).

    Example:

        newsmon sources list --all --json
    """
    sources = _registry(app).sources(include_disabled)
    if as_json:
        print_json([source.as_dict() for source in sources])
        return
    print_table(
        ("name", "kind", "outlet", "lang", "origin", "enabled", "verified", "url"),
        [
            (
                s.spec.name,
                s.spec.kind,
                s.spec.outlet,
                s.spec.language,
                s.origin,
                _yes_no(s.spec.enabled),
                _yes_no(s.spec.verified),
                s.spec.address,
            )
            for s in sources
        ],
    )


@sources_group.command("add")
@click.argument("name")
@click.argument("url")
@click.option(
    "--kind",
    type=click.Choice(["feed", "sitemap", "search"]),
    required=True,
    help="feed (RSS/Atom), sitemap (news sitemap) or search (URL with {query}).",
)
@click.option("--outlet", help="Display name of the publisher (default: the URL's host).")
@click.option("--language", default="de", show_default=True, help="Language code of the articles.")
@click.pass_obj
def add_command(app: AppContext, name: str, url: str, kind: str, outlet: str | None, language: str) -> None:
    """Add a source of your own; it is kept in the store and survives restarts and updates.

    Example:

        newsmon sources add heise-security https://www.heise.de/security/rss/news-atom.xml --kind feed
    """
    address = "url_template" if kind == "search" else "url"
    fields = {"name": name, "kind": kind, address: url, "language": language}
    fields["outlet"] = outlet or urlsplit(url).hostname or name
    spec = parse_source(fields, "command line")
    _registry(app).add(spec)
    click.echo(f"added {spec.name} ({spec.kind}, {spec.address})")


@sources_group.command("remove")
@click.argument("name")
@click.pass_obj
def remove_command(app: AppContext, name: str) -> None:
    """Remove a source you added (shipped sources can only be disabled).

    Example:

        newsmon sources remove heise-security
    """
    if _registry(app).remove(name):
        click.echo(f"removed {name}")
    else:
        click.echo(f"removed {name} from the crawl; stored documents keep it as their source name")


def _switch(app: AppContext, name: str, enabled: bool) -> None:
    _registry(app).set_enabled(name, enabled)
    click.echo(f"{name} {'enabled' if enabled else 'disabled'}")


@sources_group.command("enable")
@click.argument("name")
@click.pass_obj
def enable_command(app: AppContext, name: str) -> None:
    """Crawl NAME again.

    Example:

        newsmon sources enable bing-news-de
    """
    _switch(app, name, True)


@sources_group.command("disable")
@click.argument("name")
@click.pass_obj
def disable_command(app: AppContext, name: str) -> None:
    """Stop crawling NAME; a disabled shipped source stays disabled after updates.

    Example:

        newsmon sources disable finanzen-net-news
    """
    _switch(app, name, False)


@sources_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="JSON array of crawl states (see README).")
@click.pass_obj
def check_command(app: AppContext, as_json: bool) -> None:
    """The last crawl result of every source: when, what came of it, failures in a row, back-off.

    Exit status 1 when the last crawl of an enabled source failed.

    Example:

        newsmon sources check --json
    """
    states = _registry(app).states()
    tz = app.config.tz
    if as_json:
        print_json([state_json(state, tz) for state in states])
    else:
        print_table(
            ("name", "enabled", "health", "last crawled", "outcome", "failures", "next attempt"),
            [
                (
                    s.name,
                    _yes_no(s.enabled),
                    s.health,
                    _local(s.last_crawled_at, tz),
                    s.last_outcome,
                    s.consecutive_failures,
                    _local(s.next_attempt_at, tz),
                )
                for s in states
            ],
        )
    if any(state.enabled and state.health == "failing" for state in states):
        sys.exit(1)


COMMANDS = [sources_group]
