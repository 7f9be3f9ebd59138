"""The running site: one HTTP server per outlet on 127.0.0.1, a request log, and a clean shutdown.

Each outlet gets its own port so outlets are different origins (own robots.txt, own rate limits,
cross-host links and redirects), as on the web. HTTP/1.1 keep-alive is supported, so a crawler's
connection pooling is exercised too; shutdown therefore closes idle client connections itself and
ends long waits (the slow page, a stream) early instead of waiting for clients to go away.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType, TracebackType
from typing import Any

from newsmon.demosite.catalog import Catalog, SiteOptions, build_catalog
from newsmon.demosite.content import Outlet, load_outlets
from newsmon.demosite.manifest import Manifest
from newsmon.demosite.replies import Reply, Request, conditional

HOST = "127.0.0.1"
_log = logging.getLogger(__name__)
_POLL_INTERVAL = 0.05  # how quickly a server notices shutdown
_IDLE_TIMEOUT = 60  # seconds an idle keep-alive connection is kept open


@dataclass(frozen=True)
class RequestRecord:
    """One request the site answered. Header names are lower-case; ``path`` includes the query."""

    outlet: str
    method: str
    path: str
    status: int
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class HostedOutlet:
    """An outlet as served: where to reach it."""

    name: str
    title: str
    kind: str  # "publisher" or "search"
    port: int
    base_url: str  # http://127.0.0.1:PORT, no trailing slash


class _RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> tuple[RequestRecord, ...]:
        with self._lock:
            return tuple(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class _OutletServer(ThreadingHTTPServer):
    """Serves one outlet; tracks connections and request threads so stop() can end and join them.

    Request threads are daemons, so a site nobody stopped never holds up interpreter exit; the
    stdlib joins only non-daemon ones, hence the own bookkeeping in ``process_request``.
    """

    def __init__(self, outlet: str, port: int, stopping: threading.Event, log: _RequestLog) -> None:
        super().__init__((HOST, port), _Handler)
        self.outlet = outlet
        self.stopping = stopping
        self.log = log
        self.catalog: Catalog | None = None
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._request_threads: list[threading.Thread] = []
        self._closing = False

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"demosite-{self.outlet}-request",
            daemon=True,
        )
        with self._lock:
            self._request_threads = [running for running in self._request_threads if running.is_alive()]
            self._request_threads.append(thread)
        thread.start()

    def server_close(self) -> None:
        """Close the listening socket and wait for the request threads (after close_connections)."""
        super().server_close()
        with self._lock:
            threads, self._request_threads = self._request_threads, []
        for thread in threads:
            thread.join()

    def track(self, connection: socket.socket) -> None:
        with self._lock:
            if not self._closing:
                self._open.add(connection)
                return
        _shut(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def close_connections(self) -> None:
        """Wake every request thread blocked on a client: their reads end, their writes fail."""
        with self._lock:
            self._closing = True
            connections = list(self._open)
        for connection in connections:
            _shut(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client went away; normal for crawlers that give up on slow or huge pages
        _log.exception("demosite %s: error serving %s", self.outlet, client_address)


def _shut(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the client


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsmon-demosite"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would hold the body ~40 ms
    server: _OutletServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        server = self.server
        assert server.catalog is not None  # set before serving starts
        path, _, query = self.path.partition("?")
        headers = MappingProxyType({name.lower(): value for name, value in self.headers.items()})
        request = Request(server.outlet, self.command, path, query, headers, server.stopping)
        reply = conditional(request, server.catalog.route(server.outlet, path)(request))
        server.log.add(RequestRecord(server.outlet, self.command, self.path, reply.status, headers))
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            if reply.status != 304:
                self.send_header("Content-Length", str(reply.content_length))
            self.end_headers()
            if send_body:
                self._write_body(reply)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _write_body(self, reply: Reply) -> None:
        if reply.chunks is None:
            self.wfile.write(reply.body)
            return
        for chunk in reply.chunks():
            if self.server.stopping.is_set():
                self.close_connection = True  # the body is cut short, so the connection cannot be reused
                return
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("demosite %s: " + format, self.server.outlet, *args)


class FixtureSite:
    """The fixture news site, running. Start it with ``FixtureSite.start()``, preferably as ``with``."""

    def __init__(
        self,
        outlets: tuple[Outlet, ...],
        servers: list[_OutletServer],
        catalog: Catalog,
        log: _RequestLog,
        stopping: threading.Event,
    ) -> None:
        self._servers = servers
        self._catalog = catalog
        self._log = log
        self._stopping = stopping
        self._outlets = {
            outlet.name: HostedOutlet(
                outlet.name, outlet.title, outlet.kind, server.port, f"http://{HOST}:{server.port}"
            )
            for outlet, server in zip(outlets, servers, strict=True)
        }
        self._serve_threads: list[threading.Thread] = []
        self._stopped = False

    @classmethod
    def start(
        cls,
        scale: int | None = None,
        *,
        ports: Mapping[str, int] | None = None,
        seed: int = 4,
        slow_delay: float = 15.0,
        rate_limit_count: int = 2,
        retry_after: int = 1,
        oversized_bytes: int = 20 * 1024 * 1024,
    ) -> FixtureSite:
        """Bind every outlet (port 0: chosen by the OS, or ``ports[name]``), build the content, serve.

        ``scale`` adds that many synthetic articles. ``slow_delay`` is how long the slow page waits
        (default longer than usual crawl timeouts; tests set it short), ``rate_limit_count`` how many
        requests the rate-limited page refuses with 429 and ``retry_after`` seconds it asks for.
        """
        options = SiteOptions(scale or 0, seed, slow_delay, rate_limit_count, retry_after, oversized_bytes)
        outlets = load_outlets()
        unknown = set(ports or {}) - {outlet.name for outlet in outlets}
        if unknown:
            raise ValueError(f"no such outlet: {', '.join(sorted(unknown))}")
        stopping, log = threading.Event(), _RequestLog()
        servers: list[_OutletServer] = []
        try:
            for outlet in outlets:
                servers.append(_OutletServer(outlet.name, (ports or {}).get(outlet.name, 0), stopping, log))
            bases = {server.outlet: f"http://{HOST}:{server.port}" for server in servers}
            catalog = build_catalog(outlets, bases, options)
        except BaseException:
            for server in servers:
                server.server_close()
            raise
        site = cls(outlets, servers, catalog, log, stopping)
        site._serve()
        return site

    def _serve(self) -> None:
        for server in self._servers:
            server.catalog = self._catalog
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL},
                name=f"demosite-{server.outlet}",
                daemon=True,
            )
            thread.start()
            self._serve_threads.append(thread)

    def stop(self) -> None:
        """Stop serving and release every socket and thread; returns promptly even mid-request."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()  # ends the slow page's wait and any running stream
        for server in self._servers:
            server.shutdown()  # the accept loop exits
        for server in self._servers:
            server.close_connections()
        for server in self._servers:
            server.server_close()  # closes the listening socket and joins the request threads
        for thread in self._serve_threads:
            thread.join()

    def __enter__(self) -> FixtureSite:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def outlets(self) -> Mapping[str, HostedOutlet]:
        """Every host by name: the publishers and the search host, each on its own port."""
        return self._outlets

    def url(self, outlet: str, path: str = "/") -> str:
        return self._outlets[outlet].base_url + path

    @property
    def manifest(self) -> Manifest:
        return self._catalog.manifest

    @property
    def feeds(self) -> Mapping[str, tuple[str, ...]]:
        """Feed URLs per host: RSS, Atom and the hostile feeds of publishers; the search feed."""
        return self._catalog.feeds

    @property
    def sitemaps(self) -> Mapping[str, tuple[str, ...]]:
        """Sitemap URLs per publisher: the index first, then the news sitemap and the URL sitemaps."""
        return self._catalog.sitemaps

    @property
    def special(self) -> Mapping[str, str]:
        """The URL of each special case by name (manifest ``case``, or a hostile or search feed)."""
        return self._catalog.special

    @property
    def requests(self) -> tuple[RequestRecord, ...]:
        """Every request answered so far, in order (a snapshot; safe while the site serves)."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        self._log.clear()
