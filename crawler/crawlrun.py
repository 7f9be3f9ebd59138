"""What one crawl shares among its spiders and hands back to ``run_crawl``, and the sources'
crawl state it reads before and writes after.

Per source (by target name) the store keeps the validators of its document (``ETag``,
``Last-Modified``) for conditional GET, and the last outcome that ``newsmon sources check``
shows. They are read once before the crawl and written once after it, in one transaction,
rather than during it: the store's write lock belongs to the ingest batch while spiders run.
A target that has no row yet (an address given with ``--url``) gets one, as a name documents are
stored under would (origin ``import``), so its state is kept too.

A search source is crawled as several targets under one name, a URL per query. Validators belong
to one URL, so such a source is asked unconditionally and keeps none (a 304 for one query's URL
must not come from another's validators), and its outcome is its first failure, else the last
success: one failing query is enough for ``sources check`` and the back-off to see. A crawl that
never got to write its outcomes (killed at its timeout, crashed) has them written by whoever ran
it (``save_interrupted``), so no source is left showing an older result; that outcome says
nothing about the source, so it neither counts as a failure nor clears one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from crawler.targets import Target
from newsmon.ingest import utcnow
from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import Source
from newsmon.workers import WorkerPool


@dataclass(frozen=True)
class Validators:
    """What a source's document said about its version last time it was read."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class SourceOutcome:
    """How reading one source's own document went."""

    ok: bool
    detail: str  # "12 listed", "not modified", "server_error: HTTP 503"
    validators: Validators | None = None  # of a fresh copy (None: keep the stored ones)
    # the crawl ended before it read the source: no verdict on the source itself, so its
    # failure count (and with it the back-off) stays as it was
    interrupted: bool = False

    @property
    def label(self) -> str:
        return "interrupted" if self.interrupted else ("ok" if self.ok else "failed")


@dataclass
class CrawlRun:
    """State shared by the spiders of one crawl (Scrapy deep-copies settings per crawler; this
    object is meant to be the same for all of them, so a copy of it is itself)."""

    validators: dict[str, Validators] = field(default_factory=dict)  # by source name, read before
    shared: frozenset[str] = frozenset()  # names of sources crawled under several URLs
    outcomes: dict[str, SourceOutcome] = field(default_factory=dict)  # by source name, written after
    seen: set[str] = field(default_factory=set)  # article URLs handled so far
    # started once for all spiders rather than by each (None: each spider starts its own)
    extraction: WorkerPool | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> CrawlRun:
        return self

    def record(self, name: str, outcome: SourceOutcome) -> None:
        """Keep how reading source ``name``'s document went (of several URLs: the first failure)."""
        earlier = self.outcomes.get(name)
        if earlier is None or earlier.ok:
            self.outcomes[name] = outcome

    def validators_to_keep(self, name: str, fresh: Validators) -> Validators:
        """What to store as source ``name``'s validators after reading it: none when it was read
        under several URLs."""
        return Validators() if name in self.shared else fresh


def shared_names(targets: Iterable[Target]) -> frozenset[str]:
    """Names that several targets share (a search source, one URL per query)."""
    counts = Counter(target.name for target in targets)
    return frozenset(name for name, count in counts.items() if count > 1)


def load_validators(store: Store, names: Iterable[str]) -> dict[str, Validators]:
    """The stored validators of the named sources that have any."""
    query = select(Source.name, Source.etag, Source.last_modified).where(Source.name.in_(list(names)))
    with store.engine.connect() as connection:
        return {
            row.name: Validators(row.etag, row.last_modified)
            for row in connection.execute(query)
            if row.etag or row.last_modified
        }


def save_outcomes(store: Store, targets: Iterable[Target], outcomes: dict[str, SourceOutcome]) -> None:
    """Record each source's outcome: its last result, failure count and fresh validators."""
    now = utcnow()
    declared = {target.name: (target.kind, target.url) for target in targets}
    with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        with connection.begin():
            known = set(connection.scalars(select(Source.name).where(Source.name.in_(list(outcomes)))))
            for name in outcomes.keys() - known:
                kind, url = declared[name]
                connection.execute(
                    insert(Source).values(name=name, kind=kind, url=url, enabled=True, created_at=now)
                )
            for name, outcome in outcomes.items():
                values: dict[str, Any] = {
                    "last_crawled_at": now,
                    "last_outcome": f"{outcome.label}: {outcome.detail}",
                    "last_error": None if outcome.ok else outcome.detail,
                }
                if not outcome.interrupted:
                    values["consecutive_failures"] = 0 if outcome.ok else Source.consecutive_failures + 1
                if outcome.validators is not None:
                    values.update(
                        etag=outcome.validators.etag, last_modified=outcome.validators.last_modified
                    )
                connection.execute(update(Source).where(Source.name == name).values(**values))


def save_interrupted(store: Store, targets: Iterable[Target], since: datetime, detail: str) -> list[str]:
    """Record ``detail`` as the interrupted outcome of the targets' sources that a crawl started
    at ``since`` did not record itself; returns their names."""
    targets = list(targets)
    names = {target.name for target in targets}
    recorded_query = select(Source.name).where(Source.name.in_(names), Source.last_crawled_at >= since)
    with store.engine.connect() as connection:
        recorded = set(connection.scalars(recorded_query))
    missing = sorted(names - recorded)
    if missing:
        interrupted = SourceOutcome(False, detail, interrupted=True)
        save_outcomes(store, targets, dict.fromkeys(missing, interrupted))
    return missing
