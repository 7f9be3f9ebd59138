"""`newsmon crawl`: fetch the articles a feed, sitemap or search feed lists and store them.

A thin call into ``crawler.run.run_crawl``; the crawl runs in this process (one per command).
Crawling every enabled source from the database comes with the sources module.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from newsmon.cli.context import AppContext, print_json, print_table


@click.command("crawl")
@click.option(
    "--url", "urls", multiple=True, required=True, help="Feed, sitemap or search feed URL (repeatable)."
)
@click.option(
    "--kind", type=click.Choice(["feed", "sitemap", "search"]), required=True, help="What the URLs are."
)
@click.option("--source", help="Source name to store the articles under (default: the URL's host).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_obj
def crawl(app: AppContext, urls: tuple[str, ...], kind: str, source: str | None, as_json: bool) -> None:
    """Crawl feeds, sitemaps or search feeds once and print what happened to the articles they list.

    Example:

        newsmon crawl --url https://www.example.de/feed/rss.xml --kind feed
    """
    from crawler.run import run_crawl
    from crawler.targets import Target

    targets = [Target(source or urlsplit(url).netloc, kind, url) for url in urls]  # type: ignore[arg-type]
    summary = run_crawl(app.config, targets)
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
