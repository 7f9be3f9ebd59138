"""``/healthz`` on 127.0.0.1 for container health checks and orchestrators.

200 with a small JSON body while the scheduler runs and the daemon's lease was renewed within
its length; 503 otherwise. Bound to loopback only: the check runs inside the container.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Probe = Callable[[], tuple[bool, dict[str, Any]]]


def serve_health(port: int, probe: Probe) -> ThreadingHTTPServer:
    """Start serving ``/healthz`` in a daemon thread; ``shutdown()`` the returned server to stop."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/healthz":
                self.send_error(404)
                return
            healthy, body = probe()
            data = json.dumps({"status": "ok" if healthy else "unhealthy", **body}, default=str).encode()
            self.send_response(200 if healthy else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Probes every few seconds would drown the daemon's own log lines."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, name="newsmon-healthz", daemon=True).start()
    return server
