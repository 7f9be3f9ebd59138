"""``create_app(config)``: the review UI's FastAPI application (pages, JSON API, actions, export).

The interactive API docs (/docs, /redoc) are off: they load their scripts from a CDN, and the UI
makes no request beyond this server. The OpenAPI document itself is served at /openapi.json.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from newsmon.config import Config
from newsmon.search import SearchQueryError
from newsmon.store.db import open_store
from newsmon.topics import load_topics
from newsmon.web import actions, api, export, pages
from newsmon.web.security import SECURITY_HEADERS, Guard, is_loopback
from newsmon.web.state import WebState
from newsmon.web.templating import make_templates, render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _problem(request: Request, status: int, detail: str) -> Response:
    """An error as JSON (API, scripts) or as a page; one line, never a stack trace."""
    if _wants_json(request):
        response: Response = JSONResponse({"detail": detail}, status_code=status)
    else:
        state: WebState = request.app.state.web
        response = render(state.templates, request, "error.html", status, status=status, detail=detail)
    # the middleware's headers are missing on responses made outside it (errors it did not see)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    response = _problem(request, exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith("/api/"):
        return await request_validation_exception_handler(request, exc)
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"][1:]) or "request"
    return _problem(request, 400, f"{where}: {first['msg']}")


async def _bad_search(request: Request, exc: Exception) -> Response:
    return _problem(request, 400, str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _problem(request, 500, "internal error: the details are in the server's log")


async def _contain_errors(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: an unexpected error becomes the generic 500 here, inside the app. Left to
    Starlette's outermost handler, it would be re-raised after the answer and the server would
    drop the connection, breaking the client's next request on it."""
    try:
        return await call_next(request)
    except Exception as exc:
        return await _server_error(request, exc)


def create_app(config: Config, host: str = "127.0.0.1") -> FastAPI:
    """The app over the store of ``config``, as served on ``host``.

    Bound to loopback, it answers only requests addressed to a loopback name (DNS rebinding);
    with ``serve.token`` set, every request needs the token.
    """
    store = open_store(config.store_url)
    token = config.serve.token.get_secret_value() if config.serve.token else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="newsmon review",
        summary="Search, read and judge the articles newsmon stored.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = WebState(config, store, load_topics(config.topics_file), make_templates())
    app.middleware("http")(_contain_errors)
    app.middleware("http")(Guard(token, check_host=is_loopback(host)))  # outermost: runs first
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(SearchQueryError, _bad_search)
    app.add_exception_handler(Exception, _server_error)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (pages, actions, export, api):
        app.include_router(module.router)
    app.add_api_route("/", lambda: RedirectResponse("/articles"), include_in_schema=False)
    return app
