"""The exporter's logic: cumulative series from Redis → remote-write samples, and the push schedule.

Series bookkeeping. Counters are exact because every container adds its deltas to one cumulative series
per label set in Redis (hotel_common.metrics); the exporter is the only writer of each series, so its
samples are in order by construction. A push carries one sample per series at `ts`, the push time in ms,
made strictly increasing across pushes (`ts > previous push`), and every push runs under a Redis lock, so
two overlapping invocations can never send a series out of order (Prometheus would reject the request).

Zero samples. A counter series that first appears with value N would make `increase()` miss those N
events: Prometheus only counts growth between samples. So a *new* counter or histogram series (not in the
exported set) is sent as two samples, `0 @ ts-1ms` then `N @ ts`. ts-1ms rather than the previous push's
time: it is always after every sample already sent (no out-of-order or out-of-bounds rejection, even after
a long pause), and needs nothing but the exported set. The cost is that the first N events look as if they
happened at `ts`, which shifts them by at most one push period. Gauges get no zero sample: a 1 ms dip to 0
would be a real value to `min_over_time` and to alerts. A series is marked exported only after Prometheus
accepted it; if Redis loses the set (a flush or failover also loses the counters) every series restarts
from 0, which Prometheus reads as a counter reset, as it should.

Labels. Every series gets `job` (METRICS_JOB) and `stage` (STAGE). A series' own label with one of those
names is kept as `exported_<name>`, as a Prometheus scrape does on a clash.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hotel_common.metrics import SeriesValue, label_key

from .remote_write import SendResult, TimeSeries

ZERO_SAMPLE_KINDS = frozenset({"counter", "histogram"})
EVENTBRIDGE_MIN_PERIOD_SECONDS = 60


def series_id(series: SeriesValue) -> str:
    return series.name + label_key(dict(series.labels))


def export_labels(series: SeriesValue, extra: Mapping[str, str]) -> dict[str, str]:
    labels = {(f"exported_{k}" if k in extra else k): v for k, v in series.labels}
    labels.update(extra)
    labels["__name__"] = series.name
    return labels


@dataclass(frozen=True)
class Batch:
    timeseries: list[TimeSeries]
    new_ids: list[str]

    @property
    def samples(self) -> int:
        return sum(len(ts.samples) for ts in self.timeseries)


def build_batches(
    series: Iterable[SeriesValue],
    exported: set[str],
    ts_ms: int,
    extra_labels: Mapping[str, str],
    max_samples: int,
) -> list[Batch]:
    """The samples of one push, split into requests of at most `max_samples` samples (a series is never
    split: its samples must stay together and in order)."""
    batches: list[Batch] = []
    current: list[TimeSeries] = []
    new_ids: list[str] = []
    count = 0
    for item in series:
        ident = series_id(item)
        samples: list[tuple[float, int]] = []
        is_new = ident not in exported
        if is_new and item.kind in ZERO_SAMPLE_KINDS and item.value != 0:
            samples.append((0.0, ts_ms - 1))
        samples.append((item.value, ts_ms))
        if current and count + len(samples) > max_samples:
            batches.append(Batch(current, new_ids))
            current, new_ids, count = [], [], 0
        current.append(TimeSeries(export_labels(item, extra_labels), samples))
        if is_new:
            new_ids.append(ident)
        count += len(samples)
    if current:
        batches.append(Batch(current, new_ids))
    return batches


# -- ports ----------------------------------------------------------------------------------------------


class ExportState(Protocol):
    """The exporter's bookkeeping (Redis in production, a dict in unit tests)."""

    def acquire(self) -> Any | None: ...  # a lock handle, or None when another push holds it

    def release(self, handle: Any) -> None: ...

    def read_series(self) -> list[SeriesValue]: ...

    def exported(self) -> tuple[set[str], int]: ...  # series ids already accepted, last push time (ms)

    def record(self, new_ids: Sequence[str], ts_ms: int) -> None: ...


class Sender(Protocol):
    def send(self, payload: bytes, deadline: float | None = None) -> SendResult: ...


Encoder = Callable[[list[TimeSeries]], bytes]


@dataclass(frozen=True)
class PushOutcome:
    # ok | partial (some requests accepted) | rejected (4xx) | failed (5xx/429/transport after retries)
    # | locked (another push running) | redis_error
    result: str
    series: int = 0
    new_series: int = 0
    requests: int = 0
    timestamp_ms: int | None = None
    detail: str = ""


class Exporter:
    def __init__(
        self,
        state: ExportState,
        sender: Sender,
        encoder: Encoder,
        extra_labels: Mapping[str, str],
        max_samples_per_request: int = 2000,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self.state, self.sender, self.encoder = state, sender, encoder
        self.extra_labels = dict(extra_labels)
        self.max_samples = max_samples_per_request
        self.clock_ms = clock_ms

    def push_once(self, deadline: float | None = None) -> PushOutcome:
        try:
            handle = self.state.acquire()
        except Exception as exc:
            return PushOutcome("redis_error", detail=type(exc).__name__)
        if handle is None:
            return PushOutcome("locked")
        try:
            return self._push(deadline)
        finally:
            # A lost lock expires by itself; the push outcome is what matters.
            with contextlib.suppress(Exception):
                self.state.release(handle)

    def _push(self, deadline: float | None) -> PushOutcome:
        try:
            series = self.state.read_series()
            exported, last_ms = self.state.exported()
        except Exception as exc:
            return PushOutcome("redis_error", detail=type(exc).__name__)
        if not series:
            return PushOutcome("ok")
        ts_ms = max(self.clock_ms(), last_ms + 2)
        batches = build_batches(series, exported, ts_ms, self.extra_labels, self.max_samples)
        accepted: list[Batch] = []
        failure: SendResult | None = None
        for batch in batches:
            result = self.sender.send(self.encoder(batch.timeseries), deadline)
            if not result.ok:
                failure = result
                break
            accepted.append(batch)
        new_ids = [ident for batch in accepted for ident in batch.new_ids]
        sent = sum(len(batch.timeseries) for batch in accepted)
        if accepted:
            try:
                self.state.record(new_ids, ts_ms)
            except Exception as exc:
                return PushOutcome("redis_error", sent, len(new_ids), len(accepted), ts_ms, type(exc).__name__)
        if failure is None:
            return PushOutcome("ok", sent, len(new_ids), len(accepted), ts_ms)
        status = failure.status
        result_name = "partial" if accepted else ("rejected" if status and status < 500 and status != 429 else "failed")
        return PushOutcome(result_name, sent, len(new_ids), len(accepted), ts_ms, failure.reason)


# -- the schedule ---------------------------------------------------------------------------------------


def pushes_per_invocation(event: Mapping[str, Any], every_seconds: int | None) -> int:
    """EventBridge fires at most once a minute: a scheduled invocation does the pushes of its whole
    interval, `every_seconds` apart. Direct invocations (and the local stack, which invokes on the period
    and sets no SCHEDULE_EVERY_SECONDS) push once."""
    if not every_seconds or event.get("detail-type") != "Scheduled Event":
        return 1
    interval = EVENTBRIDGE_MIN_PERIOD_SECONDS * max(1, every_seconds // EVENTBRIDGE_MIN_PERIOD_SECONDS)
    return max(1, interval // every_seconds)


def run_pushes(
    push: Callable[[float | None], PushOutcome],
    pushes: int,
    period_seconds: float,
    remaining_seconds: Callable[[], float],
    reserve_seconds: float,
    after_push: Callable[[PushOutcome], None] = lambda outcome: None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[PushOutcome]:
    """`pushes` pushes `period_seconds` apart (from the first one's start), never starting one with less
    than `reserve_seconds` of the invocation left; each push gets the invocation's deadline."""
    outcomes: list[PushOutcome] = []
    start = clock()
    for index in range(pushes):
        wait = max(0.0, start + index * period_seconds - clock())
        if index and remaining_seconds() - wait < reserve_seconds:
            break
        if wait:
            sleep(wait)
        deadline = clock() + remaining_seconds() - 1.0
        outcome = push(deadline)
        outcomes.append(outcome)
        after_push(outcome)
    return outcomes
