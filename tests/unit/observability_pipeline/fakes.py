"""In-memory stand-ins for the exporter's ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cramjam

from functions.metrics_exporter.remote_write import SendResult
from hotel_common.metrics import SeriesValue

from .remote_pb import decode


@dataclass
class MemoryState:
    series: list[SeriesValue] = field(default_factory=list)
    exported_ids: set[str] = field(default_factory=set)
    last_ms: int = 0
    locked: bool = False
    fail_read: bool = False

    def acquire(self) -> Any | None:
        if self.locked:
            return None
        self.locked = True
        return "handle"

    def release(self, handle: Any) -> None:
        self.locked = False

    def read_series(self) -> list[SeriesValue]:
        if self.fail_read:
            raise ConnectionError("redis down")
        return list(self.series)

    def exported(self) -> tuple[set[str], int]:
        return set(self.exported_ids), self.last_ms

    def record(self, new_ids: Sequence[str], ts_ms: int) -> None:
        self.exported_ids.update(new_ids)
        self.last_ms = ts_ms


@dataclass
class CapturingSender:
    """Accepts (or answers with the scripted results) and keeps every decoded request."""

    results: list[SendResult] = field(default_factory=list)
    requests: list[list[tuple[list[tuple[str, str]], list[tuple[float, int]]]]] = field(default_factory=list)

    def send(self, payload: bytes, deadline: float | None = None) -> SendResult:
        self.requests.append(decode(bytes(cramjam.snappy.decompress_raw(payload))))
        return self.results.pop(0) if self.results else SendResult(True, 204, 1, "ok")


def counter(name: str, value: float, **labels: str) -> SeriesValue:
    return SeriesValue(name, tuple(sorted(labels.items())), value, name, "counter")


def gauge(name: str, value: float, **labels: str) -> SeriesValue:
    return SeriesValue(name, tuple(sorted(labels.items())), value, name, "gauge")


def histogram(family: str, suffix: str, value: float, le: str | None = None, **labels: str) -> SeriesValue:
    """One series of a histogram family: suffix is bucket, sum or count."""
    items = dict(labels, **({"le": le} if le is not None else {}))
    return SeriesValue(f"{family}_{suffix}", tuple(sorted(items.items())), value, family, "histogram")
