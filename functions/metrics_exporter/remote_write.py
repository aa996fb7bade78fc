"""Prometheus remote write 1.0: the protobuf encoder and the HTTP sender (plain or SigV4 for AMP).

The four messages of the spec are encoded by hand (no protoc, no protobuf runtime in the Lambda):

    WriteRequest { repeated TimeSeries timeseries = 1; }
    TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
    Label        { string name = 1; string value = 2; }
    Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in milliseconds

then snappy block-compressed (cramjam; the framed format must not be used). The tests decode the bytes
with the official protobuf runtime and push them into a real Prometheus.
"""

from __future__ import annotations

import random
import re
import struct
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

USER_AGENT = "agente-hotel-metrics-exporter/1.0"
HEADERS = {
    "Content-Encoding": "snappy",
    "Content-Type": "application/x-protobuf",
    "User-Agent": USER_AGENT,
    "X-Prometheus-Remote-Write-Version": "0.1.0",
}
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class TimeSeries:
    """One series and its samples (value, timestamp in ms), samples in timestamp order."""

    labels: Mapping[str, str]  # including __name__
    samples: Sequence[tuple[float, int]]


# -- encoding -----------------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # int64 negatives are ten-byte two's complement varints
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def sorted_labels(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """The spec's label rules: names sorted, no empty value (an empty label is no label), valid names."""
    items = sorted((name, value) for name, value in labels.items() if value != "")
    if "__name__" not in labels or not METRIC_NAME.match(labels["__name__"]):
        raise ValueError(f"invalid or missing metric name in {dict(labels)}")
    for name, _ in items:
        if name != "__name__" and (not LABEL_NAME.match(name) or name.startswith("__")):
            raise ValueError(f"invalid label name {name!r}")
    return items


def encode_series(series: TimeSeries) -> bytes:
    parts = [
        _field(1, _field(1, name.encode()) + _field(2, value.encode())) for name, value in sorted_labels(series.labels)
    ]
    previous = None
    for value, timestamp in series.samples:
        if previous is not None and timestamp <= previous:
            raise ValueError("samples of a series must be in increasing timestamp order")
        previous = timestamp
        sample = b"\x09" + struct.pack("<d", value) + b"\x10" + _varint(timestamp)
        parts.append(_field(2, sample))
    return b"".join(parts)


def encode_write_request(series: Iterable[TimeSeries]) -> bytes:
    return b"".join(_field(1, encode_series(s)) for s in series)


def compress(body: bytes) -> bytes:
    import cramjam

    return bytes(cramjam.snappy.compress_raw(body))


# -- sending ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None  # last HTTP status; None when no response came back
    attempts: int
    reason: str  # "ok", "http_400", "http_503", "timeout", "connection", ...


Signer = Callable[[str, bytes, dict[str, str]], dict[str, str]]


class SigV4Signer:
    """Signs a push for AMP (service `aps`) with the function's credentials. The signature covers the
    payload hash, so it is computed per request, on the final compressed bytes."""

    def __init__(self, region: str, credentials: Any | None = None) -> None:
        self.region = region
        self._credentials = credentials

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        if self._credentials is None:
            import botocore.session

            self._credentials = botocore.session.get_session().get_credentials()
        if self._credentials is None:
            raise RuntimeError("no AWS credentials to sign the remote write")
        frozen = self._credentials.get_frozen_credentials()
        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        SigV4Auth(frozen, "aps", self.region).add_auth(request)
        return dict(request.headers.items())


def region_of(url: str, fallback: str) -> str:
    """aps-workspaces.<region>.amazonaws.com → <region>."""
    match = re.search(r"aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com", url)
    return match.group(1) if match else fallback


class RemoteWriteSender:
    """POSTs one compressed WriteRequest. Retries, with full-jitter exponential backoff, only what the spec
    allows: 5xx, 429 (honouring a bounded Retry-After) and transport failures (nothing was ingested, and
    re-sending the same samples is idempotent). 2xx and the other 4xx end the attempt at once."""

    def __init__(
        self,
        url: str,
        *,
        signer: Signer | None = None,
        timeout_seconds: float = 5.0,
        max_attempts: int = 3,
        backoff_base: float = 0.25,
        backoff_cap: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
        http: Any | None = None,
    ) -> None:
        import urllib3

        self.url = url
        self._signer = signer
        self._timeout = urllib3.Timeout(connect=min(2.0, timeout_seconds), read=timeout_seconds)
        self._max_attempts = max_attempts
        self._base, self._cap = backoff_base, backoff_cap
        self._sleep = sleep
        self._on_retry = on_retry or (lambda reason: None)
        self._http = http or urllib3.PoolManager(num_pools=2, maxsize=2)

    def send(self, payload: bytes, deadline: float | None = None) -> SendResult:
        """`deadline` (time.monotonic) bounds the retries: no attempt starts that cannot finish before it."""
        import urllib3

        status: int | None = None
        reason = "not_sent"
        for attempt in range(1, self._max_attempts + 1):
            headers = dict(HEADERS)
            if self._signer is not None:
                headers = self._signer(self.url, payload, headers)
            retry_after = 0.0
            try:
                response = self._http.request(
                    "POST", self.url, body=payload, headers=headers, timeout=self._timeout, retries=False
                )
                status = int(response.status)
                if 200 <= status < 300:
                    return SendResult(True, status, attempt, "ok")
                reason = f"http_{status}"
                if status != 429 and status < 500:
                    return SendResult(False, status, attempt, reason)
                retry_after = _retry_after(response.headers.get("Retry-After"))
            except urllib3.exceptions.NewConnectionError:  # before TimeoutError: it subclasses it
                status, reason = None, "connection"
            except urllib3.exceptions.TimeoutError:
                status, reason = None, "timeout"
            except urllib3.exceptions.HTTPError:
                status, reason = None, "connection"
            if attempt == self._max_attempts:
                break
            pause = min(self._cap, max(retry_after, random.uniform(0, self._base * 2 ** (attempt - 1))))
            if deadline is not None and time.monotonic() + pause + self._timeout.read_timeout > deadline:  # type: ignore[operator]
                break
            self._on_retry(reason)
            self._sleep(pause)
        return SendResult(False, status, attempt, reason)


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0  # an HTTP date: fall back to the backoff
