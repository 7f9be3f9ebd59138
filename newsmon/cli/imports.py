"""`newsmon import`: files and folders through the same cleaning and storing path as crawled pages."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from newsmon.cli.context import AppContext
from newsmon.errors import InputError
from newsmon.importer import Unreadable, iter_paths, read_document
from newsmon.ingest import Ingestor, IngestResult
from newsmon.topics import load_topics


def _line(path: Path, result: IngestResult) -> str:
    if result.status == "stored":
        note = f" ({result.reason})" if result.reason else ""
        return f"{path}: stored as #{result.article_id} (story #{result.story_id}){note}"
    if result.status == "duplicate":
        return f"{path}: duplicate of #{result.duplicate_of} (layer {result.layer}, similarity {result.similarity})"
    return f"{path}: rejected ({result.reason})"


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--source", default="import", show_default=True, help="Source name to record the documents under."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input file (see README).")
@click.pass_obj
def import_command(app: AppContext, paths: tuple[Path, ...], source: str, as_json: bool) -> None:
    """Import .txt/.md/.html/.htm files (optionally .gz) or folders of them.

    Exit status 0 when every file was stored or recognised as a duplicate, 1 when any was rejected.

    Example:

        newsmon import ../shared/seeds --json
    """
    pending: list[tuple[Path, str | None]] = []  # files decided but not yet committed, in order
    rejected = 0

    def report(results: list[IngestResult]) -> None:
        nonlocal rejected
        for (path, note), result in zip(pending, results, strict=True):
            if note and result.status == "stored":
                result = replace(result, reason=note)
            rejected += result.status == "rejected"
            if as_json:
                fields = {"path": str(path), **_json_fields(result)}
                sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
            else:
                click.echo(_line(path, result))
        del pending[: len(results)]

    # results are printed as each batch of files commits
    topics = load_topics(app.config.topics_file)
    with Ingestor(app.store, app.config, topics).batch(on_commit=report) as batch:
        for item in iter_paths(list(paths)):
            path = item.path if isinstance(item, Unreadable) else item
            pending.append((path, None))
            if isinstance(item, Unreadable):
                batch.reject(path.absolute().as_uri(), source, item.reason)
                continue
            try:
                document, note = read_document(item, app.config.import_.max_bytes, source)
            except InputError as exc:
                batch.reject(item.absolute().as_uri(), source, str(exc))
                continue
            pending[-1] = (path, note)
            batch.ingest(document)
    if rejected:
        sys.exit(1)


def _json_fields(result: IngestResult) -> dict[str, object]:
    fields = result.as_dict()
    fields.pop("url")
    return fields


COMMANDS = [import_command]
