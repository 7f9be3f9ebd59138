"""`newsmon demo`: crawl the bundled fixture news site on 127.0.0.1 and show what was stored.

The point is a first run that needs nothing but the package: no config file, no network, no
sources. The fixture site (``newsmon.demosite``, the one the crawler tests use) is served from this
process, and an ordinary ``run_crawl`` takes its feeds and sitemaps into the configured store.
What makes the crawl fit the local site is changed for this run only, on a copy of the config:
127.0.0.1 may pass the SSRF guard, timeouts are short and there is no delay between requests
(the site answers in microseconds, so the defaults meant for real publishers would only make the
demo slow), and sitemap entries are not cut off by age (the site's articles carry fixed dates).
The site is reached by literal IP, so the crawl needs no name resolution and gets none: the one
link to a made-up intranet host fails as ``dns`` instead of asking real DNS.

The site listens on fixed ports (``--port`` and the next ones), so its URLs are the same every
time and a second demo finds its feeds unchanged and stores nothing.
"""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from sqlalchemy import func, select, update

from newsmon.cli.articles import _show_list
from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.config import Config
from newsmon.store.models import Article, Source
from newsmon.store.queries import article_summary

if TYPE_CHECKING:
    from crawler.run import CrawlSummary
    from crawler.targets import Target
    from newsmon.demosite import FixtureSite

DEMO_PORT = 18470  # the first outlet's port; the others take the next ones
LOOPBACK = "127.0.0.1"
TIMEOUT = 2.0  # seconds; the site's slow page (15 s) must still time out
NO_AGE_LIMIT = 365_000.0  # days: sitemap entries of any date are fetched


def demo_config(config: Config) -> Config:
    """``config`` as a crawl of the local site needs it; nothing else about it changes."""
    crawl = config.crawl.model_copy(
        update={
            "allow_private_hosts": [*config.crawl.allow_private_hosts, LOOPBACK],
            "download_timeout": TIMEOUT,
            "delay": 0.0,
        }
    )
    return config.model_copy(update={"crawl": crawl})


def demo_targets(site: FixtureSite) -> list[Target]:
    """Every feed and sitemap index the site publishes (the search feed as a search source).

    Names are ``demo-<outlet>-<document>``: stable, so each keeps its validators between demos.
    """
    from crawler.targets import Target

    def name(outlet: str, url: str) -> str:
        return f"demo-{outlet}-{PurePosixPath(urlsplit(url).path).stem}"

    search_feed = site.special["search_feed"]
    targets = [
        Target(name(outlet, url), "search" if url == search_feed else "feed", url)
        for outlet, urls in site.feeds.items()
        for url in urls
    ]
    targets += [
        Target(name(outlet, urls[0]), "sitemap", urls[0], max_age_days=NO_AGE_LIMIT)
        for outlet, urls in site.sitemaps.items()
    ]
    return targets


def resolve_no_names(host: str) -> list[str]:
    """The demo's resolver: it knows no name, so no link can lead the crawl off loopback."""
    raise OSError(f"the demo resolves no host names ({host})")


def start_site(first_port: int) -> FixtureSite:
    """The fixture site with its outlets on ``first_port`` and the ports after it."""
    from newsmon.demosite import FixtureSite
    from newsmon.demosite.content import load_outlets

    ports = {outlet.name: first_port + offset for offset, outlet in enumerate(load_outlets())}
    _check_free(sorted(ports.values()))
    return FixtureSite.start(ports=ports)


def _check_free(ports: list[int]) -> None:
    """Fail with a message that says what to do when a port is taken (the site would only raise)."""
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the site's servers bind
            try:
                probe.bind((LOOPBACK, port))
            except (OSError, OverflowError) as exc:  # OverflowError: past 65535
                raise click.ClickException(
                    f"cannot serve the demo site on ports {ports[0]}-{ports[-1]}: "
                    f"{port}: {getattr(exc, 'strerror', None) or exc}; choose others with --port"
                ) from None


def _name_outlets(app: AppContext, site: FixtureSite) -> None:
    """Give the demo's sources their outlet's name: all outlets share the host 127.0.0.1, so the
    digest and the lists could not tell them apart by address."""
    with app.store.engine.begin() as connection:
        for outlet in site.outlets.values():
            connection.execute(
                update(Source)
                .where(Source.name.startswith(f"demo-{outlet.name}-"), Source.outlet.is_(None))
                .values(outlet=outlet.title)
            )


def _newest_id(app: AppContext) -> int:
    with app.store.session() as session:
        return session.scalar(select(func.max(Article.id))) or 0


def _stored_after(app: AppContext, article_id: int) -> list[dict[str, Any]]:
    """Summaries of the articles with a higher id than ``article_id``: those this crawl stored."""
    query = (
        select(Article, Source.name)
        .outerjoin(Source, Article.source_id == Source.id)
        .where(Article.id > article_id)
        .order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
    )
    with app.store.session() as session:
        return [article_summary(article, name, app.config.tz) for article, name in session.execute(query)]


def _print_summary(summary: CrawlSummary) -> None:
    """The crawl summary under the names of its JSON form (README, `newsmon crawl --json`)."""
    rows: list[tuple[str, int]] = []
    for key, value in summary.as_dict().items():
        if isinstance(value, dict):
            rows += [(f"{key}: {reason}", count) for reason, count in value.items()]
        else:
            rows.append((key, value))
    print_table(("outcome", "URLs"), rows, title="crawl of the demo site")


def _serve_until_interrupted(site: FixtureSite, err: bool) -> None:
    """Keep the site up, its addresses printed, until Ctrl-C."""
    for outlet in site.outlets.values():
        documents = (*site.feeds.get(outlet.name, ()), *site.sitemaps.get(outlet.name, ())[:1])
        click.echo(f"{outlet.title}: {outlet.base_url}/", err=err)
        for url in documents:
            click.echo(f"  {url}", err=err)
    click.echo("The demo site is up. Ctrl-C stops it.", err=err)
    # Scrapy's handler stays installed after its reactor stopped and would swallow Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopped", err=err)


@click.command("demo")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEMO_PORT,
    show_default=True,
    help="First port of the demo site (it takes this and the next two).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the crawl summary and the stored articles as JSON."
)
@click.option("--keep-serving", is_flag=True, help="Keep the demo site up after the crawl, until Ctrl-C.")
@click.pass_obj
def demo(app: AppContext, port: int, as_json: bool, keep_serving: bool) -> None:
    """Crawl a local demo news site into the store and show what was stored (offline).

    Starts the bundled fixture news site on 127.0.0.1, crawls its feeds and sitemaps with the
    configured store and settings (127.0.0.1 allowed, short timeouts, for this run only), prints
    the crawl summary and the new articles, and stops the site. A second run finds nothing new.

    Example:

        newsmon demo && newsmon articles list
    """
    from crawler.run import run_crawl

    before = _newest_id(app)
    with start_site(port) as site:
        summary = run_crawl(demo_config(app.config), demo_targets(site), resolver=resolve_no_names)
        _name_outlets(app, site)
        stored = _stored_after(app, before)
        if as_json:
            print_json({"summary": summary.as_dict(), "articles": stored})
        else:
            _print_summary(summary)
            if stored:
                _show_list(stored, as_json=False, as_csv=False)
                click.echo(f"{len(stored)} articles stored; `newsmon articles show ID` shows one.")
            else:
                click.echo("Nothing new found: the demo site is unchanged since the last `newsmon demo`.")
        if keep_serving:
            _serve_until_interrupted(site, err=as_json)


COMMANDS = [demo]
