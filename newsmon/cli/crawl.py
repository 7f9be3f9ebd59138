"""`newsmon crawl`: fetch the articles the sources list and store them.

A thin call into ``crawler.run.run_crawl``; the crawl runs in this process (one per command).
The targets are the enabled sources of the registry (``newsmon sources``) that are not backing
off after failures, some of them (``--source``), or addresses given with ``--url``. Afterwards
each crawled source's back-off is set from its failures, as the daemon does. The crawler is
imported only when a crawl starts, so ``--help`` stays instant.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.health import apply_backoff, backing_off
from newsmon.sources import load_sources, open_registry

if TYPE_CHECKING:
    from crawler.targets import Target


def _source_targets(
    app: AppContext, names: tuple[str, ...], query: str | None, now: datetime
) -> list[Target]:
    """Targets for the registry's enabled sources not backing off (or the named ones, enabled or
    not, backing off or not: naming a source asks for it now)."""
    registry = open_registry(app.store, load_sources(app.config.sources_file))
    sources = registry.sources(include_disabled=bool(names))
    if names:
        unknown = set(names) - {source.spec.name for source in sources}
        if unknown:
            raise click.UsageError(
                f"no such source: {', '.join(sorted(unknown))} (see `newsmon sources list`)"
            )
        sources = [source for source in sources if source.spec.name in names]
    else:
        waiting = backing_off(app.store, now)
        resting = sorted(source.spec.name for source in sources if source.spec.name in waiting)
        if resting:
            click.echo(
                "backing off after failures, skipped (name them with --source to crawl now): "
                + ", ".join(f"{name} until {waiting[name]:%Y-%m-%d %H:%M} UTC" for name in resting),
                err=True,
            )
            sources = [source for source in sources if source.spec.name not in waiting]
    from crawler.targets import crawl_targets

    # search sources: --query, else each of the topic profiles' search queries
    targets, unasked = crawl_targets((source.spec for source in sources), app.config.topics_file, query)
    if unasked:
        click.echo(f"search sources with no query in their language, skipped: {', '.join(unasked)}", err=True)
    return targets


@click.command("crawl")
@click.option("--source", "names", multiple=True, help="Crawl this source only (repeatable).")
@click.option("--query", help="Query for search sources (default: the topic profiles' search queries).")
@click.option("--url", "urls", multiple=True, help="Crawl this address instead of the sources (repeatable).")
@click.option(
    "--kind", type=click.Choice(["feed", "sitemap", "search"]), help="What the --url addresses are."
)
@click.option("--name", help="Source name for --url articles (default: the URL's host).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_obj
def crawl(
    app: AppContext,
    names: tuple[str, ...],
    query: str | None,
    urls: tuple[str, ...],
    kind: str | None,
    name: str | None,
    as_json: bool,
) -> None:
    """Crawl the sources once and print what happened to the articles they list.

    Example:

        newsmon crawl --source heise-news
        newsmon crawl --url https://www.example.de/feed/rss.xml --kind feed
    """
    from crawler.run import run_crawl
    from crawler.targets import Target
    from newsmon.ingest import utcnow

    if urls and (names or query):
        raise click.UsageError("--url crawls the given addresses; --source and --query select sources")
    if bool(urls) != bool(kind):
        raise click.UsageError("--url and --kind go together")
    started = utcnow()
    if urls:
        targets = [Target(name or urlsplit(url).netloc, kind, url) for url in urls]  # type: ignore[arg-type]
    else:
        targets = _source_targets(app, names, query, started)
    summary = run_crawl(app.config, targets)
    # the same back-off the daemon keeps, so a cron job of `newsmon crawl` spares failing sources
    apply_backoff(app.store, app.config.schedule, started)
    if as_json:
        print_json(summary.as_dict())
        return
    rows = [
        ("discovered", summary.discovered),
        ("already known", summary.known),
        ("fetched", summary.fetched),
        ("stored", summary.stored),
        ("duplicates", summary.duplicates),
        ("off-topic", summary.off_topic),
        *((f"failed: {reason}", count) for reason, count in summary.failed.items()),
        ("too old (sitemaps)", summary.too_old),
        ("sources that failed", summary.sources_failed),
    ]
    print_table(("outcome", "URLs"), rows, title="crawl")


COMMANDS = [crawl]
