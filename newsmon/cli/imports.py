"""`newsmon import`: files and folders through the same cleaning and storing path as crawled pages."""

from __future__ import annotations

import json
import sys
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import click

from newsmon.cli.context import AppContext
from newsmon.importer import Unreadable, iter_paths
from newsmon.importwork import ImportWork, PreparedFile, prepare_file, warm_up
from newsmon.ingest import IngestBatch, Ingestor, IngestResult
from newsmon.topics import loaded_topics
from newsmon.workers import WorkerPool, worker_count

PREPARED_AHEAD = 16  # files prepared ahead of the one being stored (bounds the memory they hold)
# fewer files are prepared in line: starting workers costs more than they would save
WORKERS_FROM_FILES = 8


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

    config = app.config
    settings = config.import_
    work = ImportWork(
        settings.max_bytes, source, config.tz, settings.min_words, config.topics_file, config.dedup
    )
    items = list(iter_paths(list(paths)))
    # files are prepared in worker processes while this one decides and writes (newsmon.importwork);
    # the workers are forked after the warm-up, before the batch starts its checkpoint thread
    workers = WorkerPool(worker_count(settings.workers) if len(items) >= WORKERS_FROM_FILES else 0)
    workers.start(warm_up, work)
    try:
        # results are printed as each batch of files commits
        with Ingestor(app.store, config, loaded_topics(config.topics_file)).batch(on_commit=report) as batch:
            prepared = workers.ordered(prepare_file, [(item, work) for item in items], PREPARED_AHEAD)
            for item, future in zip(items, prepared, strict=True):
                path = item.path if isinstance(item, Unreadable) else item
                pending.append((path, None if future.exception() else future.result().note))
                _ingest(batch, path, future, source)
    finally:
        workers.shutdown()
    if rejected:
        sys.exit(1)


def _ingest(batch: IngestBatch, path: Path, future: Future[PreparedFile], source: str) -> None:
    """Hand one prepared file to the batch: decided with what its worker found, or rejected with
    why it could not be read (or why its worker died on it)."""
    url = path.absolute().as_uri()
    error = future.exception()
    if isinstance(error, BrokenProcessPool):
        batch.reject(url, source, "preparing it killed the worker process (a crash in a parser)")
        return
    if error is not None:
        batch.reject(url, source, f"preparing it failed: {error.__class__.__name__}: {error}")
        return
    ready = future.result()
    if ready.document is None:
        batch.reject(url, source, ready.reason or "unreadable")
        return
    batch.ingest(ready.document, ready.article, ready.topic_scores, ready.fingerprint)


def _json_fields(result: IngestResult) -> dict[str, object]:
    fields = result.as_dict()
    fields.pop("url")
    return fields


COMMANDS = [import_command]
