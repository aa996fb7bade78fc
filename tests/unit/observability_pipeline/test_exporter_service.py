"""The exporter's logic: the samples of a push (labels, zero samples, timestamps), bookkeeping on
success and failure, the lock, and the schedule of pushes within one invocation."""

from __future__ import annotations

from typing import Any

import pytest

from functions.metrics_exporter.remote_write import SendResult, compress, encode_write_request
from functions.metrics_exporter.service import Exporter, PushOutcome, pushes_per_invocation, run_pushes
from hotel_common.metrics import SeriesValue

from .fakes import CapturingSender, MemoryState, counter, gauge, histogram

NOW = 1_795_000_000_000
EXTRA = {"job": "agente-hotel", "stage": "dev"}


def histogram_series() -> list[SeriesValue]:
    family = "orchestrator_latency_seconds"
    return [
        histogram(family, "bucket", 0.0, le="0.5", intent="greeting"),
        histogram(family, "bucket", 2.0, le="+Inf", intent="greeting"),
        histogram(family, "sum", 1.6, intent="greeting"),
        histogram(family, "count", 2.0, intent="greeting"),
    ]


def exporter(state: MemoryState, sender: CapturingSender, now: int = NOW, max_samples: int = 2000) -> Exporter:
    return Exporter(state, sender, lambda ts: compress(encode_write_request(ts)), EXTRA, max_samples, lambda: now)


def test_first_push_decodes_to_sorted_labels_ms_timestamps_and_zero_samples_for_new_counters() -> None:
    state = MemoryState(
        [
            counter("http_requests_total", 3, method="POST", endpoint="/webhooks/whatsapp", status_code="200"),
            gauge("readiness_up", 1),
            *histogram_series(),
        ]
    )
    sender = CapturingSender()
    outcome = exporter(state, sender).push_once()
    assert outcome == PushOutcome("ok", series=6, new_series=6, requests=1, timestamp_ms=NOW)
    (request,) = sender.requests
    by_name = {
        dict(labels)["__name__"] + str(dict(labels).get("le", "")): (labels, samples) for labels, samples in request
    }
    labels, samples = by_name["http_requests_total"]
    assert labels == [
        ("__name__", "http_requests_total"),
        ("endpoint", "/webhooks/whatsapp"),
        ("job", "agente-hotel"),
        ("method", "POST"),
        ("stage", "dev"),
        ("status_code", "200"),
    ]
    assert samples == [(0.0, NOW - 1), (3.0, NOW)]  # ms, in order, the zero first
    assert by_name["readiness_up"][1] == [(1.0, NOW)]  # gauges: no zero sample
    assert by_name["orchestrator_latency_seconds_bucket+Inf"][1] == [(0.0, NOW - 1), (2.0, NOW)]
    assert by_name["orchestrator_latency_seconds_bucket0.5"][1] == [(0.0, NOW)]  # already zero: one sample
    assert by_name["orchestrator_latency_seconds_sum"][1] == [(0.0, NOW - 1), (1.6, NOW)]
    for labels, _ in request:
        names = [name for name, _ in labels]
        assert names == sorted(names) and len(set(names)) == len(names)
    assert state.last_ms == NOW and len(state.exported_ids) == 6


def test_known_series_get_one_sample_and_time_always_moves_forward() -> None:
    state = MemoryState([counter("pms_cache_hits_total", 5)])
    exporter(state, CapturingSender()).push_once()
    sender = CapturingSender()
    outcome = exporter(state, sender, now=NOW - 10_000).push_once()  # a clock behind the last push
    ((_, samples),) = sender.requests[0]
    assert samples == [(5.0, NOW + 2)] and outcome.timestamp_ms == NOW + 2 and outcome.new_series == 0


def test_a_series_label_clashing_with_the_exporter_labels_is_kept_as_exported_label() -> None:
    state = MemoryState([counter("message_dropped_total", 1, stage="normalizer", reason="status_only")])
    sender = CapturingSender()
    exporter(state, sender).push_once()
    ((labels, _),) = sender.requests[0]
    assert ("exported_stage", "normalizer") in labels and ("stage", "dev") in labels


def test_rejected_push_marks_nothing_so_the_zero_sample_is_sent_again() -> None:
    state = MemoryState([counter("pms_cache_hits_total", 5)])
    sender = CapturingSender([SendResult(False, 400, 1, "http_400")])
    outcome = exporter(state, sender).push_once()
    assert outcome.result == "rejected" and outcome.detail == "http_400"
    assert state.exported_ids == set() and state.last_ms == 0
    sender = CapturingSender()
    exporter(state, sender, now=NOW + 15_000).push_once()
    assert sender.requests[0][0][1] == [(0.0, NOW + 14_999), (5.0, NOW + 15_000)]


def test_5xx_after_retries_is_failed_and_a_later_batch_failure_is_partial() -> None:
    series = [counter("pms_cache_hits_total", 1), counter("pms_cache_misses_total", 1)]
    state = MemoryState(list(series))
    outcome = exporter(state, CapturingSender([SendResult(False, 503, 3, "http_503")])).push_once()
    assert outcome.result == "failed"
    state = MemoryState(list(series))
    sender = CapturingSender([SendResult(True, 204, 1, "ok"), SendResult(False, 503, 3, "http_503")])
    outcome = exporter(state, sender, max_samples=2).push_once()  # one series (2 samples) per request
    assert (outcome.result, outcome.requests, outcome.series) == ("partial", 1, 1)
    assert len(state.exported_ids) == 1 and state.last_ms == NOW


def test_requests_are_split_by_samples_without_splitting_a_series() -> None:
    state = MemoryState([counter(f"m{i}_total", 1) for i in range(5)])
    sender = CapturingSender()
    outcome = exporter(state, sender, max_samples=4).push_once()
    assert [len(r) for r in sender.requests] == [2, 2, 1] and outcome.requests == 3
    assert all(len(samples) == 2 for request in sender.requests for _, samples in request)


def test_a_push_in_progress_elsewhere_is_skipped() -> None:
    state = MemoryState([counter("pms_cache_hits_total", 1)], locked=True)
    sender = CapturingSender()
    assert exporter(state, sender).push_once().result == "locked"
    assert sender.requests == []


def test_redis_failure_is_an_outcome_not_an_exception_and_releases_the_lock() -> None:
    state = MemoryState([counter("pms_cache_hits_total", 1)], fail_read=True)
    outcome = exporter(state, CapturingSender()).push_once()
    assert outcome.result == "redis_error" and outcome.detail == "ConnectionError" and not state.locked


def test_nothing_recorded_yet_sends_nothing() -> None:
    sender = CapturingSender()
    assert exporter(MemoryState(), sender).push_once().result == "ok" and sender.requests == []


SCHEDULED = {"detail-type": "Scheduled Event", "source": "aws.events"}


@pytest.mark.parametrize(
    ("event", "every", "expected"),
    [(SCHEDULED, 15, 4), (SCHEDULED, 20, 3), (SCHEDULED, 60, 1), (SCHEDULED, 90, 1), (SCHEDULED, None, 1), ({}, 15, 1)],
)
def test_pushes_per_invocation(event: dict[str, Any], every: int | None, expected: int) -> None:
    assert pushes_per_invocation(event, every) == expected


class FakeClock:
    def __init__(self, remaining: float) -> None:
        self.now = 0.0
        self.deadline = remaining

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def remaining(self) -> float:
        return self.deadline - self.now


def test_pushes_are_spaced_by_the_period_from_the_first_start() -> None:
    clock = FakeClock(remaining=55)
    starts: list[float] = []

    def push(deadline: float | None) -> PushOutcome:
        starts.append(clock.now)
        clock.now += 0.4  # the push itself takes time
        return PushOutcome("ok")

    accounted: list[PushOutcome] = []
    outcomes = run_pushes(push, 4, 15, clock.remaining, 7, accounted.append, clock.sleep, lambda: clock.now)
    assert starts == [0, 15, 30, 45] and len(outcomes) == len(accounted) == 4


def test_no_push_starts_without_the_reserve_left() -> None:
    clock = FakeClock(remaining=40)
    deadlines: list[float | None] = []

    def push(deadline: float | None) -> PushOutcome:
        deadlines.append(deadline)
        return PushOutcome("ok")

    outcomes = run_pushes(push, 4, 15, clock.remaining, 7, sleep=clock.sleep, clock=lambda: clock.now)
    assert len(outcomes) == 3  # 0, 15, 30; at 45 the invocation would have -5 s
    assert deadlines[0] == pytest.approx(39.0)  # each push is bounded by the invocation's end
