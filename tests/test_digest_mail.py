"""Digest mail against a real SMTP server (aiosmtpd on 127.0.0.1): structure, TLS, AUTH, exactly once.

The fixture week (tests/test_digest_data.py) is mailed by the daemon's job body, as on a Monday
morning; what the server received is parsed with Python's email package.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from newsmon.config import Config, SmtpSettings
from newsmon.store.db import Store
from newsmon.store.models import Digest, DigestDelivery
from reports.delivery import claim_expiry
from reports.job import JobReport, run_digest_job
from reports.settings import DigestSettings
from reports.smtp import SmtpTransport
from tests.test_digest_data import (
    HOSTILE_TITLE,
    JOB_NOW,
    RECIPIENTS,
    Planted,
    fixture_profile,
    week_fixture,  # noqa: F401  (the week fixture)
)

USER, PASSWORD = "digest", "s3cret-Passw0rd"
SUBJECT = "newsmon: KI-Wettlauf USA–China — KW 3/2026, 5 Geschichten"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every accepted message; refuses the addresses in ``refuse``."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    mechanisms: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        self.mechanisms.append(mechanism)
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be started late (to play 'server down')."""

    def __init__(self, port: int, auth: bool = False, **options: Any) -> None:
        self.port = port
        self.recorder = Recorder()
        self.options = {**options, "authenticator": self.recorder.authenticate} if auth else options
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.recorder.received


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made for this test run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def server_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_files)
    return context


def client_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(tls_files[0]))


@pytest.fixture(name="plain_server")
def plain_server_fixture() -> Iterator[SmtpServer]:
    """A plain SMTP server without TLS or AUTH, running for the test."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def smtp_settings(port: int, **values: Any) -> SmtpSettings:
    defaults = {"host": "127.0.0.1", "security": "none", "sender": "newsmon@example.org", "timeout": 5}
    return SmtpSettings.model_validate({**defaults, "port": port, **values})


def run_job(
    store: Store,
    config: Config,
    smtp: SmtpSettings,
    now: dt.datetime = JOB_NOW,
    context: ssl.SSLContext | None = None,
    settings: DigestSettings | None = None,
    recipients: tuple[str, ...] = RECIPIENTS,
) -> JobReport:
    job_config = config.model_copy(update={"smtp": smtp})
    return run_digest_job(
        job_config,
        now,
        store=store,
        profiles=[fixture_profile(recipients)],
        transport=SmtpTransport(smtp, context),
        settings=settings,
    )


def deliveries(store: Store) -> list[DigestDelivery]:
    with store.session() as session:
        return list(session.scalars(select(DigestDelivery).order_by(DigestDelivery.id)))


def _parts(message: EmailMessage) -> tuple[EmailMessage, EmailMessage, EmailMessage]:
    assert message.get_content_type() == "multipart/alternative"
    text, related = message.get_payload()  # type: ignore[misc]
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    return text, html, image


def test_the_week_arrives_as_one_well_formed_message_per_recipient(
    store: Store, config: Config, week: dict[str, Planted], plain_server: SmtpServer
) -> None:
    report = run_job(store, config, smtp_settings(plain_server.port))

    assert [(o.recipient, o.status) for o in report.deliveries] == [(r, "sent") for r in RECIPIENTS]
    assert sorted(r for item in plain_server.received for r in item.recipients) == sorted(RECIPIENTS)
    rows = deliveries(store)
    for item in plain_server.received:
        message = item.message
        (recipient,) = item.recipients
        assert item.sender == "newsmon@example.org"
        assert message["To"] == recipient
        assert message["Subject"] == SUBJECT
        assert message["List-Id"] == '"KI-Wettlauf USA–China" <ki-wettlauf-usa-china.newsmon.localhost>'
        assert message["Date"].datetime is not None
        assert message["Auto-Submitted"] == "auto-generated"
        row = next(row for row in rows if row.recipient == recipient)
        assert (row.status, row.message_id, row.attempts) == ("sent", message["Message-ID"], 1)
        assert re.fullmatch(r"<[^<>@\s]+@example\.org>", message["Message-ID"])

        text, html, image = _parts(message)
        assert text.get_content_type() == "text/plain"
        assert html.get_content_type() == "text/html"
        assert image.get_content_type() == "image/png"
        assert image.get_content_disposition() == "inline"
        assert image.get_content().startswith(b"\x89PNG")
        cid = image["Content-ID"].strip("<>")
        body = html.get_content()
        assert f'src="cid:{cid}"' in body

        # safe HTML: no script, no stylesheet to fetch, the hostile title as text
        assert "<script" not in body.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in body
        assert not re.search(r"<link\b|<style\b|@import|url\(", body, re.IGNORECASE)
        assert 'style="' in body  # the CSS was inlined
        assert "<table" in body

        plain = text.get_content()
        assert HOSTILE_TITLE in plain  # plain text is not HTML: the title reads as written
        assert "Auch berichtet von:" in plain
        for outlet in ("spiegel.de", "handelsblatt.com", "t3n.de", "zeit.de"):
            assert outlet in plain
        assert plain.index("Washington verschärft") < plain.index("DeepSeek stellt R2 vor")


def test_a_second_run_sends_nothing_new(
    store: Store, config: Config, week: dict[str, Planted], plain_server: SmtpServer
) -> None:
    smtp = smtp_settings(plain_server.port)
    run_job(store, config, smtp)
    again = run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(hours=1))
    assert again.deliveries == []
    assert again.digests[0].reused
    assert len(plain_server.received) == len(RECIPIENTS)


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_starttls_with_a_self_signed_certificate_and_auth(
    store: Store, config: Config, week: dict[str, Planted], tls_files: tuple[Path, Path], mechanism: str
) -> None:
    other = {"LOGIN": "PLAIN", "PLAIN": "LOGIN"}[mechanism]
    server = SmtpServer(
        free_port(),
        auth=True,
        tls_context=server_tls(tls_files),
        require_starttls=True,
        auth_required=True,
        auth_exclude_mechanism=[other],
    )
    server.start()
    try:
        smtp = smtp_settings(server.port, security="starttls", username=USER, password=PASSWORD)
        report = run_job(store, config, smtp, context=client_tls(tls_files))
    finally:
        server.stop()
    assert [o.status for o in report.deliveries] == ["sent", "sent"]
    assert len(server.received) == 2
    assert server.recorder.mechanisms == [mechanism]  # one login for the run


def test_implicit_tls(
    store: Store, config: Config, week: dict[str, Planted], tls_files: tuple[Path, Path]
) -> None:
    server = SmtpServer(free_port(), ssl_context=server_tls(tls_files))
    server.start()
    try:
        report = run_job(
            store, config, smtp_settings(server.port, security="ssl"), context=client_tls(tls_files)
        )
    finally:
        server.stop()
    assert [o.status for o in report.deliveries] == ["sent", "sent"]


def test_an_untrusted_certificate_is_a_clear_error(
    store: Store, config: Config, week: dict[str, Planted], tls_files: tuple[Path, Path]
) -> None:
    server = SmtpServer(free_port(), tls_context=server_tls(tls_files), require_starttls=True)
    server.start()
    try:
        report = run_job(store, config, smtp_settings(server.port, security="starttls"))
    finally:
        server.stop()
    assert {o.status for o in report.deliveries} == {"pending"}
    assert report.deliveries[0].error.startswith(f"TLS with SMTP server 127.0.0.1:{server.port} failed:")
    assert server.received == []


def test_a_wrong_password_is_one_clear_line_and_the_digest_stays_pending(
    store: Store, config: Config, week: dict[str, Planted], tls_files: tuple[Path, Path]
) -> None:
    server = SmtpServer(
        free_port(), auth=True, tls_context=server_tls(tls_files), require_starttls=True, auth_required=True
    )
    server.start()
    try:
        wrong = smtp_settings(server.port, security="starttls", username=USER, password="wrong")
        report = run_job(store, config, wrong, context=client_tls(tls_files))
        assert server.received == []
        assert {o.status for o in report.deliveries} == {"pending"}
        error = report.deliveries[0].error
        assert error == (
            f"SMTP login as 'digest' at 127.0.0.1:{server.port} refused (535 5.7.8 Authentication credentials "
            "invalid): check smtp.username and NEWSMON_SMTP__PASSWORD"
        )
        assert "wrong" not in error
        # one login (smtplib tries each offered mechanism once); the second recipient was not tried
        assert server.recorder.mechanisms == ["PLAIN", "LOGIN"]
        assert [(row.status, row.attempts, row.last_error) for row in deliveries(store)] == [
            ("pending", 1, error),
            ("pending", 1, error),
        ]
        # fixed password: the next attempt after the back-off delivers
        right = smtp_settings(server.port, security="starttls", username=USER, password=PASSWORD)
        later = JOB_NOW + dt.timedelta(minutes=6)
        report = run_job(store, config, right, now=later, context=client_tls(tls_files))
    finally:
        server.stop()
    assert [o.status for o in report.deliveries] == ["sent", "sent"]


def test_server_down_then_up_delivers_exactly_once_per_recipient(
    store: Store, config: Config, week: dict[str, Planted]
) -> None:
    server = SmtpServer(free_port())
    smtp = smtp_settings(server.port)
    down = run_job(store, config, smtp)
    assert [(o.status, o.error) for o in down.deliveries] == [
        ("pending", f"SMTP server 127.0.0.1:{server.port} not reachable: [Errno 111] Connection refused")
    ] * 2
    rows = deliveries(store)
    assert {(row.status, row.attempts) for row in rows} == {("pending", 1)}
    assert all(row.next_attempt_at == dt.datetime(2026, 1, 19, 5, 5) for row in rows)  # 5 min back-off, UTC

    server.start()
    try:
        too_early = run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(minutes=2))
        assert too_early.deliveries == []
        assert server.received == []
        up = run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(minutes=6))
        again = run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(minutes=30))
    finally:
        server.stop()
    assert [o.status for o in up.deliveries] == ["sent", "sent"]
    assert again.deliveries == []
    assert sorted(r for item in server.received for r in item.recipients) == sorted(RECIPIENTS)
    assert {(row.status, row.attempts, row.last_error) for row in deliveries(store)} == {("sent", 2, None)}


def test_a_refused_recipient_fails_for_good_and_the_others_are_sent(
    store: Store, config: Config, week: dict[str, Planted], plain_server: SmtpServer
) -> None:
    plain_server.recorder.refuse.add(RECIPIENTS[0])
    smtp = smtp_settings(plain_server.port)
    report = run_job(store, config, smtp)
    assert [(o.recipient, o.status) for o in report.deliveries] == [
        (RECIPIENTS[0], "failed"),
        (RECIPIENTS[1], "sent"),
    ]
    assert "550 5.1.1 no such mailbox" in (report.deliveries[0].error or "")
    assert run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(days=1)).deliveries == []


class Crash(BaseException):
    """The process dying: not an Exception, so nothing on the way catches it."""


class CrashAfterAcceptance(SmtpTransport):
    """The server accepts the message, then the process dies before the database hears of it."""

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        super().send(message, sender, recipient)
        raise Crash


def test_a_crash_after_acceptance_resends_once_with_the_same_message_id(
    store: Store, config: Config, week: dict[str, Planted], plain_server: SmtpServer
) -> None:
    smtp = smtp_settings(plain_server.port)
    job_config = config.model_copy(update={"smtp": smtp})
    with pytest.raises(Crash):
        run_digest_job(
            job_config,
            JOB_NOW,
            store=store,
            profiles=[fixture_profile()],
            transport=CrashAfterAcceptance(smtp),
        )
    first, second = deliveries(store)
    assert (first.status, second.status) == ("sending", "pending")
    assert len(plain_server.received) == 1

    # a run while the claim is fresh could be racing a live sender: it leaves the row alone
    soon = run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(minutes=1))
    assert [(o.recipient, o.status) for o in soon.deliveries] == [(RECIPIENTS[1], "sent")]
    assert len(plain_server.received) == 2

    later = run_job(store, config, smtp, now=JOB_NOW + claim_expiry(smtp) + dt.timedelta(minutes=1))
    assert [(o.recipient, o.status) for o in later.deliveries] == [(RECIPIENTS[0], "sent")]
    to_first = [item.message for item in plain_server.received if item.recipients == [RECIPIENTS[0]]]
    assert len(to_first) == 2
    assert to_first[0]["Message-ID"] == to_first[1]["Message-ID"] == deliveries(store)[0].message_id
    assert run_job(store, config, smtp, now=JOB_NOW + dt.timedelta(days=1)).deliveries == []


def test_an_empty_week_mails_nothing_or_a_short_note_per_config(
    store: Store, config: Config, plain_server: SmtpServer
) -> None:
    smtp = smtp_settings(plain_server.port)
    skipped = run_job(store, config, smtp)
    assert skipped.digests[0].empty
    assert skipped.deliveries == []
    assert plain_server.received == []

    sent = run_job(store, config, smtp, settings=DigestSettings(empty_week="send"), recipients=RECIPIENTS[:1])
    assert [o.status for o in sent.deliveries] == ["sent"]
    (item,) = plain_server.received
    assert (
        item.message["Subject"] == "newsmon: KI-Wettlauf USA–China — KW 3/2026, keine neue Berichterstattung"
    )
    assert item.message.get_content_type() == "multipart/alternative"
    text, html = item.message.get_payload()  # type: ignore[misc]
    assert "Keine neue Berichterstattung in dieser Woche." in text.get_content()
    assert "Keine neue Berichterstattung in dieser Woche." in html.get_content()
    with store.session() as session:
        assert session.scalar(select(Digest.chart)) is None


def test_the_password_is_never_sent_in_clear_to_another_host() -> None:
    smtp = SmtpSettings(host="mail.example.org", port=25, security="none", username=USER, password=PASSWORD)
    with pytest.raises(
        Exception, match="refusing to send the SMTP password to mail.example.org:25 unencrypted"
    ):
        SmtpTransport(smtp).open()
