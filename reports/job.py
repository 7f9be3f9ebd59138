"""What `newsmon digest` and the daemon's weekly job do: render, archive, queue, deliver.

``run_digest_job(config, now)`` is the body the scheduler calls (often: every call renders the
last complete week once, and retries due deliveries of any week). It can be called again at any
time without sending anything twice; see ``reports.delivery`` for the exactly-once protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from newsmon.config import Config
from newsmon.store.db import Store, open_store
from newsmon.store.models import Digest
from newsmon.topics import TopicProfile, load_topics
from reports.archive import is_empty, prepare_digest
from reports.context import Presentation
from reports.delivery import DeliveryOutcome, add_recipients, deliver_due
from reports.digest import make_digest
from reports.i18n import labels_for
from reports.settings import DigestSettings, digest_settings
from reports.smtp import SmtpTransport, Transport
from reports.weeks import IsoWeek

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestRun:
    """One topic's digest in a run: which archived digest, whether it was reused, who is queued."""

    topic: str
    iso_week: str
    digest_id: int
    subject: str
    empty: bool
    reused: bool  # already mailed before: the archived digest, unchanged
    queued: tuple[int, ...] = ()  # delivery ids


@dataclass(frozen=True)
class JobReport:
    digests: list[DigestRun] = field(default_factory=list)
    deliveries: list[DeliveryOutcome] = field(default_factory=list)


def presentation(config: Config, settings: DigestSettings, language: str | None = None) -> Presentation:
    return Presentation(
        labels=labels_for(language or settings.language),
        tz=config.tz,
        top_stories=settings.top_stories,
        more_articles=settings.more_articles,
        review_base_url=settings.review_base_url,
    )


def render_week(
    store: Store,
    config: Config,
    settings: DigestSettings,
    profile: TopicProfile,
    week: IsoWeek,
    now: datetime,
    language: str | None = None,
) -> tuple[Digest, bool]:
    """The archived digest of the topic's week, rendered now unless it was already mailed."""
    how = presentation(config, settings, language)
    return prepare_digest(
        store,
        profile.name,
        week,
        lambda session: make_digest(
            session,
            topic=profile.name,
            topic_title=profile.title or profile.name,
            week=week,
            tz=config.tz,
            how=how,
        ),
        now,
    )


def queue(
    store: Store, config: Config, settings: DigestSettings, digest: Digest, recipients: Sequence[str]
) -> tuple[int, ...]:
    """Delivery rows for ``recipients``; none for an empty week unless ``digest.empty_week = send``."""
    if is_empty(digest) and settings.empty_week == "skip":
        return ()
    return tuple(add_recipients(store, digest.id, recipients, config.smtp.sender))


def run_digest_job(
    config: Config,
    now: datetime,
    *,
    store: Store | None = None,
    profiles: Sequence[TopicProfile] | None = None,
    transport: Transport | None = None,
    settings: DigestSettings | None = None,
) -> JobReport:
    """Render and archive every topic's last complete week, queue its recipients, send what is due.

    ``now`` is timezone-aware. Store, topic profiles, SMTP transport and digest settings default
    to the configured ones; they are parameters so the daemon can share a store and tests can
    inject.
    """
    settings = settings or digest_settings(config)
    own_store = store is None
    store = store or open_store(config.store_url)
    try:
        profiles = load_topics() if profiles is None else profiles
        week = IsoWeek.last_complete(now, config.tz)
        report = JobReport()
        for profile in profiles:
            digest, reused = render_week(store, config, settings, profile, week, now)
            queued = queue(store, config, settings, digest, profile.recipients)
            report.digests.append(
                DigestRun(
                    profile.name,
                    str(week),
                    digest.id,
                    digest.subject,
                    is_empty(digest),
                    reused,
                    queued,
                )
            )
            log.info("digest %s %s: #%s %s", profile.name, week, digest.id, digest.subject)
        report.deliveries.extend(
            deliver_due(
                store,
                config.smtp,
                transport or SmtpTransport(config.smtp),
                now,
                list_id_template=settings.list_id,
            )
        )
        for outcome in report.deliveries:
            if outcome.error:
                log.warning("digest #%s to %s: %s", outcome.digest_id, outcome.recipient, outcome.error)
        return report
    finally:
        if own_store:
            store.close()
