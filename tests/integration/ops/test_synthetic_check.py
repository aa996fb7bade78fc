"""The synthetic health check against a real local HTTP server: retries, importance, pacing, cooldown."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts.ops import guardrails, synthetic
from scripts.ops.synthetic import CheckConfig, Pacer, run_checks, send_alert


@dataclass
class Behaviour:
    """Per path: the status codes to answer in turn (the last one repeats)."""

    plan: dict[str, list[int]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes = b"{}") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            behaviour.hits.append(self.path)
            codes = behaviour.plan.get(self.path, [404])
            self._answer(codes.pop(0) if len(codes) > 1 else codes[0])

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            behaviour.alerts.append(json.loads(self.rfile.read(length)))
            self._answer(200, b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", behaviour
    httpd.shutdown()
    httpd.server_close()


class FakeTime:
    """Time that passes only when the pacer sleeps, so pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _config(url: str, tmp_path: Path, **env: str) -> CheckConfig:
    return CheckConfig.from_env({"HEALTH_CHECK_URL": url, "ALERT_LOCK_FILE": str(tmp_path / "lock"), **env}, LIMITS)


LIMITS = guardrails.load()


def test_healthy_stage_needs_one_request_per_endpoint(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [200], "/health/ready": [200], "/metrics": [200]}
    result = run_checks(_config(url, tmp_path), Pacer(1.0, *_fake()))
    assert result.status == "healthy" and result.exit_code == 0
    assert behaviour.hits == ["/health/live", "/health/ready", "/metrics"]


def _fake() -> tuple:
    fake = FakeTime()
    return fake.clock, fake.sleep


def test_a_flaky_endpoint_is_retried_until_it_answers(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [503, 502, 200], "/health/ready": [200], "/metrics": [200]}
    result = run_checks(_config(url, tmp_path, MAX_RETRIES="3"), Pacer(1.0, *_fake()))
    live = result.endpoints[0]
    assert live.ok and live.attempts == 3
    assert behaviour.hits.count("/health/live") == 3
    assert result.status == "healthy"


def test_retries_stop_at_max_retries_and_a_dead_live_endpoint_is_unhealthy(
    server: tuple[str, Behaviour], tmp_path: Path
) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [500], "/health/ready": [200], "/metrics": [200]}
    result = run_checks(_config(url, tmp_path, MAX_RETRIES="2"), Pacer(1.0, *_fake()))
    assert result.status == "unhealthy" and result.exit_code == 2
    assert behaviour.hits.count("/health/live") == 2
    assert result.endpoints[0].error == "HTTP 500"


def test_max_retries_is_capped_by_the_guardrails(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [500], "/health/ready": [200], "/metrics": [200]}
    config = _config(url, tmp_path, MAX_RETRIES="50", TIMEOUT="600")
    assert config.max_retries == 10 and config.timeout == 60
    assert any("capped" in note for note in config.notes)
    run_checks(config, Pacer(1.0, *_fake()))
    assert behaviour.hits.count("/health/live") == 10


def test_importance_decides_the_status(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [200], "/health/ready": [503], "/metrics": [200]}
    assert run_checks(_config(url, tmp_path, MAX_RETRIES="1"), Pacer(1.0, *_fake())).status == "degraded"
    behaviour.plan = {"/health/live": [200], "/health/ready": [200], "/metrics": [404]}
    result = run_checks(_config(url, tmp_path, MAX_RETRIES="1"), Pacer(1.0, *_fake()))
    assert result.status == "healthy" and not result.endpoints[2].ok


def test_at_least_one_second_between_requests(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [500, 500, 200], "/health/ready": [503], "/metrics": [200]}
    fake = FakeTime()
    pacer = Pacer(LIMITS["MIN_REQUEST_INTERVAL_SECONDS"], fake.clock, fake.sleep)
    run_checks(_config(url, tmp_path, MAX_RETRIES="3"), pacer)
    assert len(pacer.sent_at) == len(behaviour.hits) == 3 + 3 + 1
    gaps = [b - a for a, b in zip(pacer.sent_at, pacer.sent_at[1:], strict=False)]
    assert all(gap >= 1.0 for gap in gaps), gaps


def test_connection_refused_counts_as_a_failed_attempt(tmp_path: Path) -> None:
    from tests.integration.conftest import free_port

    result = run_checks(_config(f"http://127.0.0.1:{free_port()}", tmp_path, MAX_RETRIES="2"), Pacer(1.0, *_fake()))
    assert result.status == "unhealthy"
    assert result.endpoints[0].attempts == 2 and "ConnectError" in (result.endpoints[0].error or "")


def test_alerts_respect_the_cooldown_through_the_lock_file(server: tuple[str, Behaviour], tmp_path: Path) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [500], "/health/ready": [200], "/metrics": [200]}
    config = _config(url, tmp_path, MAX_RETRIES="1", SLACK_WEBHOOK=f"{url}/slack")
    result = run_checks(config, Pacer(1.0, *_fake()))
    assert send_alert(config, result, now=10_000.0) == "sent"
    assert send_alert(config, result, now=10_000.0 + 299) == "suppressed_cooldown"
    assert len(behaviour.alerts) == 1
    assert "UNHEALTHY" in behaviour.alerts[0]["text"] and "/health/live" in behaviour.alerts[0]["text"]
    assert send_alert(config, result, now=10_000.0 + 301) == "sent"
    assert len(behaviour.alerts) == 2
    assert json.loads((tmp_path / "lock").read_text())["last_alert_at"] == 10_301.0


def test_healthy_runs_never_alert_and_a_corrupt_lock_does_not_silence(
    server: tuple[str, Behaviour], tmp_path: Path
) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [200], "/health/ready": [200], "/metrics": [200]}
    config = _config(url, tmp_path, MAX_RETRIES="1", SLACK_WEBHOOK=f"{url}/slack")
    assert send_alert(config, run_checks(config, Pacer(1.0, *_fake()))) == "not_needed"
    (tmp_path / "lock").write_text("garbage")
    behaviour.plan["/health/live"] = [500]
    assert send_alert(config, run_checks(config, Pacer(1.0, *_fake()))) == "sent"


def test_cli_writes_a_report_and_validates_its_inputs(
    server: tuple[str, Behaviour], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, behaviour = server
    behaviour.plan = {"/health/live": [200], "/health/ready": [200], "/metrics": [200]}
    report = tmp_path / "health.json"
    env = {"HEALTH_CHECK_URL": url, "MAX_RETRIES": "1"}
    assert synthetic.main(["--no-alert", "--report", str(report)], env=env) == 0
    assert json.loads(report.read_text())["status"] == "healthy"
    assert synthetic.main(["--report", str(report)], env={**env, "TIMEOUT": "soon"}) == 3
    assert synthetic.main(["--report", str(report)], env={"HEALTH_CHECK_URL": "ftp://x"}) == 3
    assert "not an http(s) URL" in capsys.readouterr().err
