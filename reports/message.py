"""A digest as a mail message: built here, sent elsewhere (``reports.smtp``).

Structure, as real clients expect it::

    multipart/alternative
      text/plain                  the text part, readable alone
      multipart/related
        text/html                 refers to the chart as cid:<chart_cid>
        image/png                 Content-ID: <chart_cid>, inline

Headers: From, To, Subject, Date, Message-ID (fixed per delivery, so a retry is recognisably the
same message), List-Id (RFC 2919, lets readers filter), Auto-Submitted (RFC 3834: no
auto-replies). ``email.policy.SMTP`` writes CRLF lines and encodes non-ASCII headers.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from newsmon.store.models import Digest


def list_id(template: str, topic: str, topic_title: str) -> str:
    """``"KI-Wettlauf USA–China" <ki-wettlauf-usa-china.newsmon.localhost>``."""
    label = template.replace("{topic}", topic)
    phrase = topic_title.replace("\\", "").replace('"', "")
    return f'"{phrase}" <{label}>' if phrase else f"<{label}>"


def build_message(
    digest: Digest, *, sender: str, recipient: str, message_id: str, date: datetime, list_id_value: str
) -> EmailMessage:
    """The mail of ``digest`` for one recipient (``date`` must be timezone-aware)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = digest.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["List-Id"] = list_id_value
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(digest.text, subtype="plain", charset="utf-8")
    message.add_alternative(digest.html, subtype="html", charset="utf-8")
    cid = (digest.meta or {}).get("chart_cid")
    if digest.chart and cid:
        html_part = message.get_payload()[1]
        html_part.add_related(
            digest.chart,
            maintype="image",
            subtype="png",
            cid=f"<{cid}>",
            disposition="inline",
            filename="chart.png",
        )
    return message
