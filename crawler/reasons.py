"""Why a URL was not stored: reason classes, and how a failed request is given one.

A reason is written ``"<class>: <detail>"`` into the fetch log (``not_found: HTTP 404``); the class
names follow ``newsmon.demosite.REASONS`` where they fit. Transient classes may pass on a later
crawl, so such URLs are fetched again; any other class is final and the URL is not retried.

``Reject`` is the pipelines' ``DropItem``: a gate raises it, the store pipeline records the
reason (through Scrapy's ``item_dropped`` signal) and later pipelines never see the item.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

TRANSIENT = frozenset({"server_error", "timeout", "rate_limited", "connection", "dns", "error"})

# Scrapy raises a bare IgnoreRequest for these; its message is all that tells them apart. The
# fixture crawl in tests/test_crawl.py expects each class, so a Scrapy upgrade that rewords one
# fails a test instead of filing the URLs under "ignored".
_IGNORED = (
    ("Forbidden by robots.txt", "robots"),
    ("max redirections reached", "redirect_loop"),
    ("DOWNLOAD_MAXSIZE", "too_large"),
)
_TIMEOUTS = (DownloadTimeoutError, TwistedTimeoutError, TCPTimedOutError)
_CONNECTION = (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
    ConnectError,
    ConnectionLost,
)


def reason_class(reason: str) -> str:
    """The class of a fetch-log reason (``"not_found: HTTP 404"`` → ``"not_found"``)."""
    return reason.partition(":")[0].strip()


def is_final(reason: str) -> bool:
    """Whether a URL rejected for ``reason`` should not be fetched again."""
    return reason_class(reason) not in TRANSIENT


class _WithReason(Exception):
    """An exception that carries a reason class and reads ``"<class>: <detail>"``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class Reject(_WithReason, DropItem):
    """Raised by a pipeline to drop a page for a reason that goes into the fetch log."""


class Refused(_WithReason, IgnoreRequest):
    """Raised by a downloader middleware that refuses a request before it is sent."""


class AddressRefused(DNSLookupError):
    """Raised by the crawl's name resolver for a name that resolves to no allowed address."""


def _http_reason(error: HttpError) -> str:
    response = error.response
    status = response.status
    if status in (404, 410):
        return "not_found"
    if status == 429 or (status == 503 and b"Retry-After" in response.headers):
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status in (401, 403):
        return "forbidden"
    return "http_error"


def classify_failure(failure: Failure) -> str:
    """The fetch-log reason for a request that failed with ``failure``."""
    error = failure.value
    detail = str(error) or type(error).__name__
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error.__cause__, AddressRefused):  # Scrapy wraps resolver errors
        return f"ssrf: {error.__cause__}"
    if isinstance(error, HttpError):
        return f"{_http_reason(error)}: HTTP {error.response.status}"
    if isinstance(error, IgnoreRequest):
        cls = next((cls for text, cls in _IGNORED if text in detail), "ignored")
        return f"{cls}: {detail}"
    if isinstance(error, _TIMEOUTS):
        return f"timeout: {detail}"
    if isinstance(error, DownloadCancelledError) and "max size" in detail:
        return f"too_large: {detail}"
    if isinstance(error, CannotResolveHostError | DNSLookupError):
        return f"dns: {detail}"
    if isinstance(error, _CONNECTION):
        return f"connection: {detail}"
    return f"error: {type(error).__name__}: {detail}"
