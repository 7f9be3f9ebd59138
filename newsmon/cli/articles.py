"""`newsmon articles list|show|search|export` and `newsmon stories list`."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.search import MATCH_END, MATCH_START, search_articles
from newsmon.store.queries import RELEVANCE_MARKS, ArticleFilter, article_detail, list_articles, list_stories

F = TypeVar("F", bound=Callable[..., Any])
SUMMARY_FIELDS = ("id", "title", "url", "source", "published_at", "date_precision", "language", "story_id")


def filter_options(function: F) -> F:
    """The filters every article listing accepts."""
    options = [
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after this day."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before this day."),
        click.option("--source", help="Source name."),
        click.option("--language", help="Language code, e.g. de."),
        click.option("--story", "story_id", type=int, help="Story id."),
        click.option("--topic", help="Only articles the topic's profile judged relevant."),
        click.option(
            "--relevance",
            type=click.Choice(RELEVANCE_MARKS),
            help="Your own mark (for --topic, else for any topic).",
        ),
        click.option("--unread", is_flag=True, help="Only articles not marked read."),
        click.option("--starred", is_flag=True, help="Only starred articles."),
        click.option("--limit", type=int, default=100, show_default=True, help="At most this many (0: all)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _filters(query: str | None = None, **options: Any) -> ArticleFilter:
    def day(value: Any) -> date | None:
        return value.date() if value else None

    return ArticleFilter(
        since=day(options["since"]),
        until=day(options["until"]),
        source=options["source"],
        language=options["language"],
        story_id=options["story_id"],
        topic=options["topic"],
        relevance=options["relevance"],
        read=False if options["unread"] else None,
        starred=True if options["starred"] else None,
        query=query,
        limit=options["limit"] or None,
    )


def _write_csv(rows: list[dict[str, Any]]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=SUMMARY_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)


def _show_list(rows: list[dict[str, Any]], as_json: bool, as_csv: bool) -> None:
    if as_json:
        print_json(rows)
    elif as_csv:
        _write_csv(rows)
    else:
        print_table(
            ("id", "published", "lang", "story", "source", "title"),
            [
                (r["id"], r["published_at"], r["language"], r["story_id"], r["source"], r["title"])
                for r in rows
            ],
        )


@click.group("articles")
def articles_group() -> None:
    """Look at stored articles."""


@articles_group.command("list")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="JSON array of article summaries (see README).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with the same fields.")
@click.pass_obj
def list_command(app: AppContext, as_json: bool, as_csv: bool, **options: Any) -> None:
    """List stored articles, newest first.

    Example:

        newsmon articles list --since 2026-01-01 --language de --json
    """
    with app.store.session() as session:
        rows = list_articles(session, _filters(**options), app.config.tz)
    _show_list(rows, as_json, as_csv)


@articles_group.command("search")
@click.argument("query")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="JSON array of summaries with rank and snippet.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV of the summaries.")
@click.pass_obj
def search_command(app: AppContext, query: str, as_json: bool, as_csv: bool, **options: Any) -> None:
    """Full-text search, best match first. QUERY: words (all must occur), "a phrase", energ* for
    words beginning so. Umlauts and ß match their spelled-out forms (Müller, Mueller).

    Example:

        newsmon articles search "Huawei Ascend" --since 2026-01-01 --topic chips --json
    """
    with app.store.session() as session:
        rows = search_articles(session, _filters(query, **options), app.config.tz)
    if as_json or as_csv:
        _show_list(rows, as_json, as_csv)
        return
    for row in rows:
        click.echo(f"#{row['id']}  {click.style(row['title'], bold=True)}")
        click.echo(f"    {row['published_at'] or 'undated'}  {row['source'] or ''}  rank {row['rank']:.3f}")
        click.echo(f"    {_highlighted(row['snippet'])}")
    if not rows:
        click.echo("no matches")


def _highlighted(snippet: str) -> str:
    """The snippet on one line with its matches in bold (on terminals; plain when piped)."""
    parts = " ".join(snippet.split()).split(MATCH_START)
    out = [parts[0]]
    for part in parts[1:]:
        match, _, rest = part.partition(MATCH_END)
        out.append(click.style(match, bold=True) + rest)
    return "".join(out)


@articles_group.command("show")
@click.argument("article_id", type=int)
@click.option(
    "--json", "as_json", is_flag=True, help="JSON object with text, authors, aliases and decisions."
)
@click.pass_obj
def show_command(app: AppContext, article_id: int, as_json: bool) -> None:
    """One article with its text, the URLs it was seen under and every duplicate decision."""
    with app.store.session() as session:
        detail = article_detail(session, article_id, app.config.tz)
    if detail is None:
        raise click.ClickException(f"no article #{article_id}")
    if as_json:
        print_json(detail)
        return
    click.echo(f"#{detail['id']}  {detail['title']}")
    for label, key in (
        ("URL", "url"),
        ("Source", "source"),
        ("Published", "published_at"),
        ("Date origin", "date_origin"),
        ("Language", "language"),
        ("Authors", "authors"),
        ("Story", "story_id"),
        ("Words", "word_count"),
    ):
        value = ", ".join(detail[key]) if isinstance(detail[key], list) else detail[key]
        click.echo(f"{label + ':':13}{'' if value is None else value}")
    if detail["duplicates"]:
        click.echo("\nDuplicates recognised:")
        for decision in detail["duplicates"]:
            click.echo(f"  {decision['layer']:6} similarity {decision['similarity']}  {decision['url']}")
    _echo_topic_scores(detail.get("topic_scores") or {})
    click.echo("\n" + detail["text"])


def _echo_topic_scores(scores: dict[str, Any]) -> None:
    """Per topic the score, the verdict and the terms that made it (largest contributions first)."""
    if scores:
        click.echo("\nTopics:")
    for topic, score in scores.items():
        verdict = "relevant" if score.get("relevant") else "not relevant"
        click.echo(f"  {topic}: {score.get('score', 0):.2f} ({verdict})")
        for item in sorted(score.get("explanation", []), key=lambda item: -item["contribution"])[:8]:
            click.echo(f"    {item['contribution']:+.3f}  {item['term']}")


@articles_group.command("export")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.pass_obj
def export_command(app: AppContext, fmt: str, **options: Any) -> None:
    """Export the filtered articles (JSON: full records with text; CSV: summaries)."""
    with app.store.session() as session:
        rows = list_articles(session, _filters(**options), app.config.tz)
        if fmt == "json":
            print_json([article_detail(session, row["id"], app.config.tz) for row in rows])
        else:
            _write_csv(rows)


@click.group("stories")
def stories_group() -> None:
    """Look at stories (articles about the same event)."""


@stories_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON array of stories with their article ids.")
@click.option(
    "--min-articles", type=int, default=1, show_default=True, help="Only stories with this many articles."
)
@click.option("--limit", type=int, default=100, show_default=True)
@click.pass_obj
def stories_list_command(app: AppContext, as_json: bool, min_articles: int, limit: int) -> None:
    """Stories, most recent first."""
    with app.store.session() as session:
        rows = list_stories(session, app.config.tz, limit or None, min_articles)
    if as_json:
        print_json(rows)
        return
    print_table(
        ("id", "articles", "last published", "title", "article ids"),
        [
            (
                r["id"],
                r["article_count"],
                r["last_published"],
                r["title"],
                ", ".join(map(str, r["article_ids"])),
            )
            for r in rows
        ],
    )


COMMANDS = [articles_group, stories_group]
