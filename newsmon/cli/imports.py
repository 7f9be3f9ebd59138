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
    ingestor = Ingestor(app.store, app.config)
    failures = 0
    for item in iter_paths(list(paths)):
        if isinstance(item, Unreadable):
            path = item.path
            result = ingestor.reject(path.absolute().as_uri(), source, item.reason)
        else:
            path = item
            try:
                document, note = read_document(item, app.config.import_.max_bytes, source)
            except InputError as exc:
                result = ingestor.reject(item.absolute().as_uri(), source, str(exc))
            else:
                result = ingestor.ingest(document)
                if note and result.status == "stored":
                    result = replace(result, reason=note)
        failures += result.status == "rejected"
        if as_json:
            sys.stdout.write(
                json.dumps({"path": str(path), **_json_fields(result)}, ensure_ascii=False) + "\n"
            )
        else:
            click.echo(_line(path, result))
    if failures:
        sys.exit(1)


def _json_fields(result: IngestResult) -> dict[str, object]:
    fields = result.as_dict()
    fields.pop("url")
    return fields


COMMANDS = [import_command]
