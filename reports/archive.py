"""The archive of rendered digests: saved once per topic and week, listed, shown, exported.

A digest is saved whenever it is rendered. Once any delivery exists for it, it is frozen: a
later render of the same topic and week returns the archived one unchanged, so a delivery
retried days later, a second recipient added with ``--to``, and the archive all carry what the
first recipient got. Until then a new render replaces it (a preview of an unfinished week, or
one in another language, is not kept).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from newsmon.store.db import Store
from newsmon.store.models import Digest, DigestDelivery
from newsmon.store.queries import _local  # the store's one way to show a stored time
from reports.digest import RenderedDigest
from reports.transactions import writing_session
from reports.weeks import IsoWeek, naive_utc


def is_empty(digest: Digest) -> bool:
    """A week without stories for the topic."""
    return not (digest.meta or {}).get("stories")


def frozen_digest(session: Session, topic: str, week: IsoWeek) -> Digest | None:
    """The archived digest of ``topic`` and ``week`` if it has deliveries (and so must not change)."""
    digest = session.scalar(select(Digest).where(Digest.topic == topic, Digest.iso_week == str(week)))
    return digest if digest is not None and digest.deliveries else None


def save_digest(session: Session, rendered: RenderedDigest, rendered_at: datetime) -> Digest:
    """Insert or replace the archived digest of the rendered topic and week (not committed)."""
    digest = session.scalar(
        select(Digest).where(Digest.topic == rendered.topic, Digest.iso_week == str(rendered.week))
    )
    if digest is None:
        digest = Digest(topic=rendered.topic, iso_week=str(rendered.week))
        session.add(digest)
    digest.subject = rendered.subject
    digest.html = rendered.html
    digest.text = rendered.text
    digest.chart = rendered.chart
    digest.meta = rendered.meta
    digest.rendered_at = rendered_at
    session.flush()
    return digest


def prepare_digest(
    store: Store, topic: str, week: IsoWeek, render: Callable[[Session], RenderedDigest], now: datetime
) -> tuple[Digest, bool]:
    """The archived digest to use for ``topic`` and ``week``: the frozen one, else a fresh render.

    Rendering reads in its own session; only the save is a (short) write transaction, which
    checks again that no other run froze the digest meanwhile. Returns (digest, reused).
    """
    with store.session() as session:
        digest = frozen_digest(session, topic, week)
        if digest is not None:
            return digest, True
        rendered = render(session)
    with writing_session(store) as session:
        digest = frozen_digest(session, topic, week)
        if digest is not None:
            return digest, True
        digest = save_digest(session, rendered, naive_utc(now))
        session.commit()
        return digest, False


def delivery_record(delivery: DigestDelivery, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "recipient": delivery.recipient,
        "status": delivery.status,
        "message_id": delivery.message_id,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "sent_at": _local(delivery.sent_at, tz),
        "next_attempt_at": _local(delivery.next_attempt_at, tz),
    }


def delivery_states(session: Session, delivery_ids: list[int], tz: ZoneInfo) -> list[dict[str, Any]]:
    """The deliveries with these ids, with their digest's topic and week."""
    rows = session.execute(
        select(DigestDelivery, Digest.topic, Digest.iso_week)
        .join(Digest, Digest.id == DigestDelivery.digest_id)
        .where(DigestDelivery.id.in_(delivery_ids))
        .order_by(DigestDelivery.id)
    )
    return [
        {"topic": topic, "iso_week": week, **delivery_record(delivery, tz)} for delivery, topic, week in rows
    ]


def digest_summary(digest: Digest, tz: ZoneInfo) -> dict[str, Any]:
    """The `digest list --json` shape."""
    meta = digest.meta or {}
    return {
        "id": digest.id,
        "topic": digest.topic,
        "iso_week": digest.iso_week,
        "subject": digest.subject,
        "language": meta.get("language"),
        "stories": meta.get("stories"),
        "articles": meta.get("articles"),
        "rendered_at": _local(digest.rendered_at, tz),
        "deliveries": [delivery_record(delivery, tz) for delivery in digest.deliveries],
    }


def list_digests(session: Session, tz: ZoneInfo, topic: str | None = None) -> list[dict[str, Any]]:
    """Archived digests, newest week first."""
    query = (
        select(Digest)
        .options(selectinload(Digest.deliveries))
        .order_by(Digest.iso_week.desc(), Digest.topic, Digest.id)
    )
    if topic:
        query = query.where(Digest.topic == topic)
    return [digest_summary(digest, tz) for digest in session.scalars(query)]


def digest_detail(session: Session, digest_id: int, tz: ZoneInfo) -> dict[str, Any] | None:
    """The `digest show --json` shape: the summary plus text, HTML and metadata."""
    digest = session.get(Digest, digest_id)
    if digest is None:
        return None
    return {**digest_summary(digest, tz), "meta": digest.meta, "text": digest.text, "html": digest.html}


def browser_html(digest: Digest, chart_src: str) -> str:
    """The HTML with the chart referenced as ``chart_src`` (a file or data: URL) instead of by cid."""
    cid = (digest.meta or {}).get("chart_cid")
    return digest.html.replace(f"cid:{cid}", chart_src) if cid else digest.html


def export_files(digest: Digest, directory: Path) -> Path:
    """Write ``<topic>-<week>.html``, ``.txt`` and the chart ``.png`` into ``directory``; returns the HTML."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{digest.topic}-{digest.iso_week}"
    html_path = directory / f"{stem}.html"
    if digest.chart:
        (directory / f"{stem}.png").write_bytes(digest.chart)
    html_path.write_text(browser_html(digest, f"{stem}.png"), encoding="utf-8")
    (directory / f"{stem}.txt").write_text(digest.text, encoding="utf-8")
    return html_path
