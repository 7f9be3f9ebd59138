"""`newsmon extract`: what the extraction makes of saved HTML pages, as JSON, nothing stored.

For checking the extractor on pages at hand (and for scoring it against gold data): every page
goes through the same ``extract_article`` as an import, in one process, and comes out as one
JSON object. A file that cannot be read or holds no article gets one line on stderr instead.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click

from newsmon.cli.context import AppContext
from newsmon.dates import format_date
from newsmon.errors import InputError
from newsmon.extract import Article, extract_article
from newsmon.importer import Unreadable, document_kind, iter_paths, read_document

# Libraries that log their own line about input we already report in one line of ours.
_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan")


def _html_files(paths: tuple[Path, ...]) -> Iterator[Path | Unreadable]:
    """HTML files named or found in folders; a named file of another kind is reported."""
    for path in paths:
        for item in iter_paths([path]):
            if isinstance(item, Unreadable) or document_kind(item) == "html":
                yield item
            elif item == path:
                yield Unreadable(path, "not an HTML file (use .html or .htm, optionally .gz)")


def article_json(path: Path, article: Article) -> dict[str, object]:
    """The stable JSON shape of one extracted page (see README, `newsmon extract`)."""
    date = article.published
    return {
        "file": str(path),
        "title": article.title,
        "title_origin": article.title_origin,
        "text": article.text,
        # as the page stated it: its own UTC offset, no more precise than declared
        "date": format_date(date.value, date.precision, date.value.tzinfo) if date else None,
        "date_origin": date.origin if date else None,
        "authors": article.authors,
        "language": article.language,
        "paywalled": article.paywalled,
    }


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--url", help="The page's web address (one file only): its host helps to strip site names.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One compact JSON object per line.")
@click.pass_obj
def extract(app: AppContext, paths: tuple[Path, ...], url: str | None, as_jsonl: bool) -> None:
    """Print title, text, date, authors and language of .html/.htm pages (optionally .gz).

    Exit status 0 when at least one page was extracted, 1 when none was.

    Example:

        newsmon extract page.html.gz --url https://www.example.de/artikel-1.html
    """
    items = list(_html_files(paths))
    if url and len(items) > 1:
        raise click.UsageError("--url applies to one file only")
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    extracted = 0
    for item in items:
        if isinstance(item, Unreadable):
            click.echo(f"{item.path}: {item.reason}", err=True)
            continue
        try:
            document, _ = read_document(item, app.config.import_.max_bytes, source="extract")
            if url:
                document = replace(document, url=url)
            article = extract_article(document, app.config.tz, app.config.import_.min_words)
        except InputError as exc:
            click.echo(f"{item}: {exc}", err=True)
            continue
        extracted += 1
        data = article_json(item, article)
        text = json.dumps(data, ensure_ascii=False, indent=None if as_jsonl else 2)
        sys.stdout.write(text + "\n")
    if not extracted:
        sys.exit(1)


COMMANDS = [extract]
