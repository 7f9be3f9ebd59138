"""What keeps the review UI private on a shared machine or network.

- *Access token*: once ``serve.token`` is set, every request must carry it, as the password of
  HTTP basic auth (browsers ask for it themselves) or as a Bearer token (scripts).
- *Host check*: a server bound to loopback answers only requests addressed to a loopback name.
  A web page elsewhere could otherwise point its own domain at 127.0.0.1 (DNS rebinding) and
  read the UI with the visitor's browser.
- *CSRF*: each browser gets a random session cookie (SameSite=Strict); its CSRF token is an HMAC
  of that cookie under a secret made at start. Every state-changing request must send the token
  (form field or ``X-CSRF-Token`` header), so another site cannot make the browser mark articles.
- *Headers*: a Content-Security-Policy without inline script, no framing, no MIME sniffing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.responses import PlainTextResponse, Response

SESSION_COOKIE = "newsmon_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-src 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only reaches this machine."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name in a Host header, without port (IPv6 literals keep no brackets)."""
    return (urlsplit(f"//{header}").hostname or "") if header else ""


class Guard:
    """The per-process secrets and the checks every request passes (see the module docstring)."""

    def __init__(self, token: str | None, check_host: bool) -> None:
        self._secret = secrets.token_bytes(32)
        self._token = token.encode() if token else None
        self._check_host = check_host

    def csrf_token(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    def _authorised(self, request: Request) -> bool:
        if self._token is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            offered = credentials.strip().encode()
        elif scheme.lower() == "basic":
            try:
                offered = base64.b64decode(credentials, validate=True).partition(b":")[2]
            except (binascii.Error, ValueError):
                return False
        else:
            return False
        return hmac.compare_digest(offered, self._token)

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Middleware: host check, access token, session cookie, security headers."""
        if self._check_host and not is_loopback(_host_name(request.headers.get("host", ""))):
            response: Response = PlainTextResponse("unknown host name", status_code=421)
        elif not self._authorised(request):
            response = PlainTextResponse(
                "access token required",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="newsmon"'},
            )
        else:
            session_id = request.cookies.get(SESSION_COOKIE) or ""
            fresh = len(session_id) != 43  # token_urlsafe(32); anything else is replaced
            if fresh:
                session_id = secrets.token_urlsafe(32)
            request.state.csrf_token = self.csrf_token(session_id)
            request.state.session_id = session_id
            response = await call_next(request)
            if fresh:
                response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", path="/")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


async def require_csrf(request: Request) -> None:
    """Dependency of every state-changing route: the session's CSRF token, or 403."""
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        offered = value if isinstance(value, str) else None
    expected = request.state.csrf_token
    if not (request.cookies.get(SESSION_COOKIE) == request.state.session_id and offered):
        raise HTTPException(403, "missing CSRF token: reload the page and try again")
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        raise HTTPException(403, "wrong CSRF token: reload the page and try again")
