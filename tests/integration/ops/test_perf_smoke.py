"""The smoke load generator against a local stub for two seconds: count, signatures, client IPs, summary, gate."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hotel_common.signature import sign
from scripts.ops import perf_smoke

SECRET = "smoke-test-secret"


@dataclass
class Received:
    bodies: list[dict] = field(default_factory=list)
    client_ips: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    fail_every: int = 0  # answer 500 to every n-th request
    hang_every: int = 0  # never answer (in time) every n-th request
    released: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def stub() -> Iterator[tuple[str, Received]]:
    received = Received()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                if self.headers.get("X-Hub-Signature-256") != sign(body, SECRET):
                    received.bad_signatures += 1
                received.bodies.append(json.loads(body))
                received.client_ips.append(self.headers.get("X-Forwarded-For", ""))
                count = len(received.bodies)
            if received.hang_every and count % received.hang_every == 0:
                received.released.wait(5)
            status = 500 if received.fail_every and count % received.fail_every == 0 else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    received.released.set()
    httpd.shutdown()
    httpd.server_close()


def _run(url: str, tmp_path: Path, **env: str) -> tuple[int, dict]:
    summary = tmp_path / "smoke-summary.json"
    code = perf_smoke.main(
        ["run", "--url", url, "--rps", "20", "--duration", "2", "--summary", str(summary)],
        env={"WHATSAPP_APP_SECRET": SECRET, **env},
    )
    return code, json.loads(summary.read_text()) if summary.exists() else {}


def test_signed_unique_status_webhooks_spread_over_client_ips(stub: tuple[str, Received], tmp_path: Path) -> None:
    url, received = stub
    code, summary = _run(url, tmp_path)
    assert code == 0
    assert len(received.bodies) == summary["requests"] == 40
    assert received.bad_signatures == 0
    statuses = [b["entry"][0]["changes"][0]["value"]["statuses"][0] for b in received.bodies]
    assert all(s["status"] == "delivered" for s in statuses)
    assert len({s["id"] for s in statuses}) == 40, "wamids are unique"
    # 20 RPS -> 40 synthetic IPs by default: no IP above a quarter of the webhook's 120/minute limit.
    assert summary["client_ips"] == 40 and len(set(received.client_ips)) == 40
    assert all(ip.startswith("198.18.") for ip in received.client_ips)
    assert summary["errors"] == 0 and summary["status_counts"] == {"200": 40}
    lat = summary["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert summary["achieved_rps"] > 0


def test_gate_passes_on_a_healthy_summary_and_fails_on_errors(
    stub: tuple[str, Received], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, received = stub
    _run(url, tmp_path)
    summary = str(tmp_path / "smoke-summary.json")
    assert perf_smoke.main(["eval", "--summary", summary], env={}) == 0
    assert perf_smoke.main(["eval", "--summary", summary], env={"P95_LIMIT_MS": "0.001"}) == 1
    assert "p95" in capsys.readouterr().out
    received.fail_every = 10
    _, failing = _run(url, tmp_path)
    assert failing["errors"] == 4 and failing["error_rate"] == 0.1 and failing["status_counts"]["500"] == 4
    assert perf_smoke.main(["eval", "--summary", summary], env={}) == 1


def test_requests_unanswered_within_the_timeout_count_as_errors(stub: tuple[str, Received], tmp_path: Path) -> None:
    url, received = stub
    received.hang_every = 8
    code, summary = _run(url, tmp_path, PERF_TIMEOUT="0.5")
    assert code == 0
    assert summary["requests"] == 40 and summary["errors"] == 5
    assert summary["status_counts"]["200"] == 35
    assert sum(v for k, v in summary["status_counts"].items() if k != "200") == 5
    assert set(summary["status_counts"]) <= {"200", "timeout", "ReadTimeout"}


def test_load_is_bounded_by_the_guardrails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "--url", "http://127.0.0.1:9", "--summary", str(tmp_path / "s.json")]
    assert perf_smoke.main([*args, "--rps", "10000"], env={}) == 2
    assert "MAX_PERF_SMOKE_RPS" in capsys.readouterr().err
    assert perf_smoke.main([*args, "--duration", "3600"], env={}) == 2
    assert perf_smoke.main([*args, "--rps", "fast"], env={}) == 2
    assert not (tmp_path / "s.json").exists()


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert perf_smoke.percentile(values, 50) == 50 and perf_smoke.percentile(values, 95) == 95
    assert perf_smoke.percentile([7.0], 99) == 7.0
