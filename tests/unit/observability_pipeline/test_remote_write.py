"""The remote write 1.0 encoder and sender: bytes decoded by the official protobuf runtime, the spec's
label rules, snappy block format, headers, retries only where the spec allows them, SigV4 for AMP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cramjam
import pytest
import urllib3

from functions.metrics_exporter.remote_write import (
    HEADERS,
    RemoteWriteSender,
    SigV4Signer,
    TimeSeries,
    compress,
    encode_write_request,
    region_of,
)

from .remote_pb import decode


def test_encoding_decodes_with_the_official_runtime_labels_sorted_and_empty_ones_dropped() -> None:
    body = encode_write_request(
        [
            TimeSeries(
                {"__name__": "http_requests_total", "stage": "dev", "job": "j", "empty": ""}, [(0.0, 1), (3.0, 2)]
            ),
            TimeSeries({"__name__": "readiness_up", "job": "j"}, [(1.0, 1_795_000_000_000)]),
        ]
    )
    assert decode(body) == [
        ([("__name__", "http_requests_total"), ("job", "j"), ("stage", "dev")], [(0.0, 1), (3.0, 2)]),
        ([("__name__", "readiness_up"), ("job", "j")], [(1.0, 1_795_000_000_000)]),
    ]


def test_values_and_timestamps_survive_exactly() -> None:
    values = [0.1, 1e-300, 12345678.9, float("inf"), -2.5]
    body = encode_write_request([TimeSeries({"__name__": "m"}, [(v, 1000 + i) for i, v in enumerate(values)])])
    ((_, samples),) = decode(body)
    assert samples == [(v, 1000 + i) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    "labels",
    [{"job": "no name"}, {"__name__": "bad-name"}, {"__name__": "m", "bad-label": "x"}, {"__name__": "m", "__x": "1"}],
)
def test_invalid_names_are_refused(labels: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        encode_write_request([TimeSeries(labels, [(1.0, 1)])])


def test_samples_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_write_request([TimeSeries({"__name__": "m"}, [(1.0, 2), (2.0, 2)])])


def test_compression_is_the_snappy_block_format() -> None:
    body = encode_write_request([TimeSeries({"__name__": "m", "a": "b" * 100}, [(1.0, 1)])])
    compressed = compress(body)
    assert bytes(cramjam.snappy.decompress_raw(compressed)) == body
    assert not compressed.startswith(b"\xff\x06\x00\x00sNaPpY")  # not the framed format


@dataclass
class FakeResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ScriptedHttp:
    """Answers with the scripted statuses (or raises the scripted exceptions), recording each request."""

    script: list[Any]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append({"method": method, "url": url, **kwargs})
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item if isinstance(item, FakeResponse) else FakeResponse(item)


def sender(http: ScriptedHttp, **kwargs: Any) -> tuple[RemoteWriteSender, list[float], list[str]]:
    sleeps: list[float] = []
    retries: list[str] = []
    s = RemoteWriteSender("http://prom/api/v1/write", http=http, sleep=sleeps.append, on_retry=retries.append, **kwargs)
    return s, sleeps, retries


def test_the_required_headers_and_body_are_sent() -> None:
    http = ScriptedHttp([204])
    s, _, _ = sender(http)
    result = s.send(b"payload")
    assert result.ok and result.attempts == 1
    (call,) = http.calls
    assert call["method"] == "POST" and call["body"] == b"payload" and call["retries"] is False
    assert call["headers"] == {
        "Content-Encoding": "snappy",
        "Content-Type": "application/x-protobuf",
        "User-Agent": HEADERS["User-Agent"],
        "X-Prometheus-Remote-Write-Version": "0.1.0",
    }


def test_5xx_is_retried_with_backoff_until_accepted() -> None:
    http = ScriptedHttp([503, 500, 204])
    s, sleeps, retries = sender(http, max_attempts=3)
    result = s.send(b"x")
    assert result.ok and result.attempts == 3
    assert retries == ["http_503", "http_500"] and len(sleeps) == 2


def test_4xx_is_not_retried() -> None:
    http = ScriptedHttp([400, 204])
    s, sleeps, _ = sender(http)
    result = s.send(b"x")
    assert (result.ok, result.status, result.attempts, result.reason) == (False, 400, 1, "http_400")
    assert sleeps == [] and len(http.script) == 1


def test_429_is_retried_honouring_a_bounded_retry_after() -> None:
    http = ScriptedHttp([FakeResponse(429, {"Retry-After": "1.5"}), FakeResponse(429, {"Retry-After": "999"}), 204])
    s, sleeps, _ = sender(http, max_attempts=3, backoff_cap=2.0)
    assert s.send(b"x").ok
    assert sleeps[0] >= 1.5 and sleeps[1] == 2.0


def test_transport_errors_are_retried_and_the_last_reason_reported() -> None:
    timeout = urllib3.exceptions.ReadTimeoutError(None, "u", "t")  # type: ignore[arg-type]
    http = ScriptedHttp([timeout, urllib3.exceptions.ProtocolError("x")])
    s, _, retries = sender(http, max_attempts=2)
    result = s.send(b"x")
    assert (result.ok, result.status, result.reason, result.attempts) == (False, None, "connection", 2)
    assert retries == ["timeout"]


def test_no_retry_starts_past_the_deadline() -> None:
    http = ScriptedHttp([503, 204])
    s, sleeps, _ = sender(http, max_attempts=3, timeout_seconds=5)
    result = s.send(b"x", deadline=0.0)  # monotonic 0: long gone
    assert not result.ok and result.attempts == 1 and sleeps == []


class StaticCredentials:
    def get_frozen_credentials(self) -> Any:
        from botocore.credentials import ReadOnlyCredentials

        return ReadOnlyCredentials("AKIDEXAMPLE", "secret", None)


def test_sigv4_signs_for_aps_in_the_workspace_region_over_the_final_body() -> None:
    url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
    signer = SigV4Signer(region_of(url, "us-east-1"), StaticCredentials())
    first = signer(url, b"body-1", dict(HEADERS))
    second = signer(url, b"body-2", dict(HEADERS))
    assert "/eu-west-1/aps/aws4_request" in first["Authorization"]
    assert first["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert first["Content-Encoding"] == "snappy" and "X-Amz-Date" in first
    assert first["Authorization"] != second["Authorization"]  # the payload hash is signed


def test_signed_requests_carry_the_signature_to_the_server() -> None:
    http = ScriptedHttp([204])
    s, _, _ = sender(http, signer=SigV4Signer("us-east-1", StaticCredentials()))
    assert s.send(b"x").ok
    assert "aps/aws4_request" in http.calls[0]["headers"]["Authorization"]


def test_region_falls_back_when_the_url_is_not_amp() -> None:
    assert region_of("http://127.0.0.1:9090/api/v1/write", "us-east-2") == "us-east-2"
