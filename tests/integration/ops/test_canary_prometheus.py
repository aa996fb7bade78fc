"""Canary diff PASS and FAIL against a real Prometheus fed by remote write (the exporter's own encoder)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from functions.metrics_exporter.remote_write import RemoteWriteSender, TimeSeries, compress, encode_write_request
from scripts.ops import canary
from scripts.ops.prom import Prometheus

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, float("inf"))
FAST = (0.30, 0.80, 0.97, 1.0, 1.0, 1.0, 1.0)  # cumulative share of requests per bucket: p95 in (0.1, 0.25]
SLOW = (0.05, 0.20, 0.50, 0.80, 0.97, 1.0, 1.0)  # p95 in (0.5, 1.0]
STEP_S, SPAN_S = 15, 600


def _series(stage: str, version: str, rps: float, error_share: float, shape: tuple[float, ...]) -> list[TimeSeries]:
    """Ten minutes of cumulative counters for one version, one sample every 15 s, ending now."""
    end_ms = int(time.time() * 1000) - 1000
    times = [end_ms - SPAN_S * 1000 + i * STEP_S * 1000 for i in range(SPAN_S // STEP_S + 1)]
    base = {"stage": stage, "function_version": version, "method": "POST", "endpoint": "/webhooks/whatsapp"}

    def counter(name: str, per_second: float, **labels: str) -> TimeSeries:
        samples = [(per_second * (t - times[0]) / 1000, t) for t in times]
        return TimeSeries({"__name__": name, **base, **labels}, samples)

    series = [
        counter("http_requests_total", rps * (1 - error_share), status_code="200"),
        counter("http_requests_total", rps * error_share, status_code="500"),
    ]
    for bound, share in zip(BUCKETS, shape, strict=True):
        le = "+Inf" if bound == float("inf") else f"{bound:g}"
        series.append(counter("request_duration_seconds_bucket", rps * share, le=le))
    return series


def _feed(url: str, series: list[TimeSeries]) -> None:
    result = RemoteWriteSender(f"{url}/api/v1/write").send(compress(encode_write_request(series)))
    assert result.ok, result


def _diff(prometheus: str, stage: str, tmp_path: Path, **env: str) -> dict:
    config = canary.CanaryConfig.from_env(
        {"PROMETHEUS_URL": prometheus, "STAGE": stage, "BASELINE_VERSION": "1", "CANARY_VERSION": "2", **env}
    )
    return canary.run_diff(config, Prometheus(prometheus), tmp_path / "canary_diff_report.json")


def test_same_behaviour_passes(prometheus: str, tmp_path: Path) -> None:
    stage = f"s{uuid.uuid4().hex[:6]}"
    _feed(prometheus, _series(stage, "1", 40, 0.002, FAST) + _series(stage, "2", 4, 0.002, FAST))
    report = _diff(prometheus, stage, tmp_path)
    assert report["status"] == "PASS", report
    assert report["fail_reasons"] == []
    assert 0.1 < report["canary"]["p95_seconds"] <= 0.25
    assert report["baseline"]["requests_per_second"] == pytest.approx(40, rel=0.05)
    written = json.loads((tmp_path / "canary_diff_report.json").read_text())
    assert written["status"] == "PASS" and written["split"] == "label"


def test_slower_and_failing_canary_fails_with_both_reasons(prometheus: str, tmp_path: Path) -> None:
    stage = f"s{uuid.uuid4().hex[:6]}"
    _feed(prometheus, _series(stage, "1", 40, 0.002, FAST) + _series(stage, "2", 4, 0.05, SLOW))
    report = _diff(prometheus, stage, tmp_path)
    assert report["status"] == "FAIL"
    assert set(report["fail_reasons"]) == {"p95_delta_exceeded", "error_rate_delta_exceeded"}
    assert report["canary"]["error_rate"] == pytest.approx(0.05, rel=0.05)


def test_small_error_increase_under_the_absolute_floor_passes(prometheus: str, tmp_path: Path) -> None:
    # 0.1% -> 0.4%: four times the baseline, but under ERR_ABS_MIN (0.5%), so not a regression worth a rollback.
    stage = f"s{uuid.uuid4().hex[:6]}"
    _feed(prometheus, _series(stage, "1", 40, 0.001, FAST) + _series(stage, "2", 4, 0.004, FAST))
    assert _diff(prometheus, stage, tmp_path)["status"] == "PASS"
    assert _diff(prometheus, stage, tmp_path, ERR_ABS_MIN="0.003")["fail_reasons"] == ["error_rate_delta_exceeded"]


def test_a_canary_without_traffic_fails(prometheus: str, tmp_path: Path) -> None:
    stage = f"s{uuid.uuid4().hex[:6]}"
    _feed(prometheus, _series(stage, "1", 40, 0.002, FAST))
    assert _diff(prometheus, stage, tmp_path)["fail_reasons"] == ["canary_no_traffic"]


def test_cli_exit_codes(prometheus: str, tmp_path: Path) -> None:
    stage = f"s{uuid.uuid4().hex[:6]}"
    _feed(prometheus, _series(stage, "1", 40, 0.002, FAST) + _series(stage, "2", 4, 0.05, SLOW))
    env = {"PROMETHEUS_URL": prometheus, "STAGE": stage}
    report = tmp_path / "r.json"
    args = ["diff", "--baseline-version", "1", "--canary-version", "2", "--report", str(report)]
    assert canary.main(args, env=env) == 1
    assert json.loads(report.read_text())["status"] == "FAIL"
    assert canary.main([*args[:-1], str(tmp_path / "x.json")], env={**env, "P95_INCREASE_LIMIT": "abc"}) == 2
    assert canary.main(args, env={**env, "PROMETHEUS_URL": "http://127.0.0.1:9"}) == 2
