"""Handing messages to an SMTP server, with every failure turned into a one-line DeliveryError.

``SmtpTransport`` is the adapter the delivery code talks to: ``open()`` connects (``ssl`` from
the first byte, or ``starttls`` upgraded before anything else is said, or ``none``) and logs in
when a username is set; ``send()`` hands one message to one recipient. Tests and other callers
can pass any object with the same two methods and ``close()``.

Errors say whether trying again later may help (server down, 4xx) and whether they concern the
server rather than this one message (connection, TLS, login), so a run stops knocking after the
first. The password is used for the login only and appears in no message.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from newsmon.config import SmtpSettings
from reports.errors import DeliveryError


class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None: ...

    def close(self) -> None: ...


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


class SmtpTransport:
    """One SMTP session per run; ``ssl_context`` defaults to the system's trust store."""

    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context
        self._client: smtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def open(self) -> None:
        settings = self.settings
        if settings.username and settings.security == "none" and not _is_loopback(settings.host):
            raise DeliveryError(
                f"refusing to send the SMTP password to {self._where} unencrypted: set smtp.security to "
                "starttls or ssl",
                server_level=True,
            )
        context = self.ssl_context or ssl.create_default_context()
        try:
            if settings.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=context
                )
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            self._client = client
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if settings.username:
                password = settings.password.get_secret_value() if settings.password else ""
                client.login(settings.username, password)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise DeliveryError(
                f"SMTP login as {settings.username!r} at {self._where} refused "
                f"({_reply(exc.smtp_code, exc.smtp_error)}): check smtp.username and NEWSMON_SMTP__PASSWORD",
                server_level=True,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            raise DeliveryError(
                f"SMTP server {self._where} does not support what smtp.security/username ask for: {exc}",
                server_level=True,
            ) from None
        except ssl.SSLError as exc:
            self.close()
            raise DeliveryError(
                f"TLS with SMTP server {self._where} failed: {exc.reason or exc}", server_level=True
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(
                f"SMTP server {self._where} not reachable: {exc or exc.__class__.__name__}", server_level=True
            ) from None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        if self._client is None:
            raise RuntimeError("SmtpTransport.send before open")
        try:
            self._client.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, (550, b"refused"))
            raise DeliveryError(
                f"recipient {recipient} refused by {self._where} ({_reply(code, text)})", transient=code < 500
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise DeliveryError(
                f"sender {sender} refused by {self._where} ({_reply(exc.smtp_code, exc.smtp_error)}): "
                "check smtp.sender",
                server_level=True,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"message to {recipient} refused by {self._where} ({_reply(exc.smtp_code, exc.smtp_error)})",
                transient=exc.smtp_code < 500,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(
                f"connection to SMTP server {self._where} lost: {exc or exc.__class__.__name__}",
                server_level=True,
            ) from None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
