"""The 429 burst signs every body like Meta, stays bounded and refuses non-loopback targets."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from scripts.observability import ops

SECRET = "local-app-secret"


class _Gateway(BaseHTTPRequestHandler):
    seen = 0
    bad_signatures = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if self.headers.get("X-Hub-Signature-256") != expected:
            type(self).bad_signatures += 1
        type(self).seen += 1
        self.send_response(200 if type(self).seen <= 3 else 429)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/webhooks/whatsapp"
    server.shutdown()
    server.server_close()


def test_burst_is_signed_and_gets_429(gateway: str) -> None:
    assert ops.burst_429(gateway, SECRET, 10) == 0
    assert _Gateway.seen == 10
    assert _Gateway.bad_signatures == 0


def test_non_loopback_target_is_refused() -> None:
    with pytest.raises(SystemExit):
        ops.burst_429("http://example.com/webhooks/whatsapp", SECRET, 1)
