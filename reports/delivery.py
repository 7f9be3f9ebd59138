"""Exactly-once mail per (topic, week, recipient): the delivery rows and the claim-then-send protocol.

Each recipient of a digest gets one ``digest_deliveries`` row (unique per digest and recipient),
created ``pending`` with its Message-ID already fixed. Sending one:

1. **claim**: ``pending → sending`` with ``claimed_at``, in its own committed transaction, and
   only if the row is still pending (an UPDATE guarded by the status: two runs at once cannot
   both win);
2. **hand over**: the message goes to the SMTP server;
3. **record**: accepted → ``sent`` with ``sent_at``, committed at once. Refused or unreachable →
   back to ``pending`` with the error, ``attempts`` + 1 and ``next_attempt_at`` after an
   exponential back-off (5 min, 10, 20, … at most 6 h); refused for good (5xx for the
   recipient or the message) → ``failed``.

A rerun finds nothing pending and sends nothing. The daemon's job tries only rows whose
back-off has passed; an explicit ``newsmon digest --send`` tries them now.

**The crash window.** If the process dies after the server accepted the message and before
``sent`` is committed (or the connection drops after the message's final dot, before the reply),
the row is left ``sending`` (or ``pending``) and nobody can know whether the mail went out. We
choose *at least once* here: once the claim is older than ``claim_expiry`` (long enough that no
live run can still be sending it), the row is claimed again and the message is sent again —
with the *same* Message-ID, so the two copies are recognisably one message (mail stores and
clients that de-duplicate by Message-ID show it once) and the log names the resend. A digest
lost without notice is worse than one that may, in this rare case, arrive twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from newsmon.config import SmtpSettings
from newsmon.store.db import Store
from newsmon.store.models import Digest, DigestDelivery
from reports.errors import DeliveryError
from reports.message import build_message, list_id
from reports.smtp import Transport
from reports.transactions import writing
from reports.weeks import naive_utc

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
MIN_CLAIM_EXPIRY = timedelta(minutes=15)


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one attempt did: ``sent``, ``pending`` (will be retried), ``failed`` or ``busy``
    (another run holds the claim)."""

    digest_id: int
    topic: str
    iso_week: str
    recipient: str
    status: str
    message_id: str | None
    error: str | None = None


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: 5 min doubling, at most 6 h."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def claim_expiry(settings: SmtpSettings) -> timedelta:
    """After this a ``sending`` claim belongs to a dead run: a live one gives up within a few timeouts."""
    return max(MIN_CLAIM_EXPIRY, timedelta(seconds=10 * settings.timeout))


def message_domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip("> ") or "newsmon.localhost"


def add_recipients(store: Store, digest_id: int, recipients: Iterable[str], sender: str) -> list[int]:
    """Ensure a delivery row per recipient; returns their ids.

    New rows are pending with a fresh Message-ID; existing rows (whatever their state) are left
    alone, which is what makes a rerun send nothing new.
    """
    wanted = list(dict.fromkeys(recipients))
    if not wanted:
        return []
    domain = message_domain(sender)
    rows = [
        {
            "digest_id": digest_id,
            "recipient": recipient,
            "status": PENDING,
            "message_id": make_msgid(domain=domain),
            "attempts": 0,
        }
        for recipient in wanted
    ]
    with writing(store) as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(DigestDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["digest_id", "recipient"])
        )
        return list(
            connection.scalars(
                select(DigestDelivery.id)
                .where(DigestDelivery.digest_id == digest_id, DigestDelivery.recipient.in_(wanted))
                .order_by(DigestDelivery.id)
            )
        )


def _claimable(now: datetime, expiry: timedelta, force: bool) -> ColumnElement[bool]:
    stale = and_(DigestDelivery.status == SENDING, DigestDelivery.claimed_at < now - expiry)
    if force:
        return or_(DigestDelivery.status == PENDING, stale)
    due = or_(DigestDelivery.next_attempt_at.is_(None), DigestDelivery.next_attempt_at <= now)
    return or_(and_(DigestDelivery.status == PENDING, due), stale)


def _claim(store: Store, delivery_id: int, now: datetime, expiry: timedelta, force: bool) -> bool:
    with writing(store) as connection:
        result = connection.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id == delivery_id, _claimable(now, expiry, force))
            .values(status=SENDING, claimed_at=now)
        )
    return result.rowcount == 1


def _record(store: Store, delivery_id: int, values: dict[str, object], from_status: str) -> None:
    with writing(store) as connection:
        connection.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id == delivery_id, DigestDelivery.status == from_status)
            .values(**values)
        )


def _failure_values(attempts: int, error: DeliveryError, now: datetime) -> dict[str, object]:
    return {
        "status": PENDING if error.transient else FAILED,
        "attempts": attempts,
        "last_error": str(error),
        "claimed_at": None,
        "next_attempt_at": now + backoff(attempts) if error.transient else None,
    }


def _due(
    store: Store, now: datetime, expiry: timedelta, force: bool, delivery_ids: Sequence[int] | None
) -> list[tuple[DigestDelivery, Digest]]:
    query = (
        select(DigestDelivery, Digest)
        .join(Digest, Digest.id == DigestDelivery.digest_id)
        .where(_claimable(now, expiry, force))
        .order_by(DigestDelivery.id)
    )
    if delivery_ids is not None:
        query = query.where(DigestDelivery.id.in_(delivery_ids))
    with store.session() as session:
        return [(delivery, digest) for delivery, digest in session.execute(query)]


def _outcome(
    delivery: DigestDelivery, digest: Digest, status: str, error: DeliveryError | None = None
) -> DeliveryOutcome:
    return DeliveryOutcome(
        digest.id,
        digest.topic,
        digest.iso_week,
        delivery.recipient,
        status,
        delivery.message_id,
        str(error) if error else None,
    )


def deliver_due(
    store: Store,
    smtp: SmtpSettings,
    transport: Transport,
    now: datetime,
    *,
    list_id_template: str,
    force: bool = False,
    delivery_ids: Sequence[int] | None = None,
) -> list[DeliveryOutcome]:
    """Send every delivery that is due (or, with ``force``, every pending one), once each.

    ``now`` is timezone-aware. ``delivery_ids`` limits the run to those rows. One SMTP session
    serves the run; when the server cannot be reached or refuses the login, the remaining
    deliveries are not tried and keep the same error with their back-off.
    """
    moment = naive_utc(now)
    expiry = claim_expiry(smtp)
    outcomes: list[DeliveryOutcome] = []
    server_error: DeliveryError | None = None
    opened = False
    try:
        for delivery, digest in _due(store, moment, expiry, force, delivery_ids):
            attempts = delivery.attempts + 1
            if server_error is not None:
                _record(store, delivery.id, _failure_values(attempts, server_error, moment), delivery.status)
                outcomes.append(_outcome(delivery, digest, PENDING, server_error))
                continue
            if not _claim(store, delivery.id, moment, expiry, force):
                outcomes.append(_outcome(delivery, digest, "busy"))
                continue
            if delivery.status == SENDING:
                log.warning(
                    "delivery of digest %s to %s was interrupted after being handed to SMTP; sending it "
                    "again with the same Message-ID %s",
                    digest.id,
                    delivery.recipient,
                    delivery.message_id,
                )
            message = build_message(
                digest,
                sender=smtp.sender,
                recipient=delivery.recipient,
                message_id=delivery.message_id or make_msgid(domain=message_domain(smtp.sender)),
                date=now,
                list_id_value=list_id(
                    list_id_template, digest.topic, (digest.meta or {}).get("topic_title", "")
                ),
            )
            try:
                if not opened:
                    opened = True
                    transport.open()
                transport.send(message, smtp.sender, delivery.recipient)
            except DeliveryError as exc:
                _record(store, delivery.id, _failure_values(attempts, exc, moment), SENDING)
                outcomes.append(_outcome(delivery, digest, PENDING if exc.transient else FAILED, exc))
                if exc.server_level:
                    server_error = exc
                continue
            _record(
                store,
                delivery.id,
                {
                    "status": SENT,
                    "sent_at": moment,
                    "attempts": attempts,
                    "last_error": None,
                    "next_attempt_at": None,
                    "message_id": message["Message-ID"],
                },
                SENDING,
            )
            outcomes.append(_outcome(delivery, digest, SENT))
    finally:
        if opened:
            transport.close()
    return outcomes
