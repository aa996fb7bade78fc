import pytest

from hotel_common.metrics import Recorder, label_key, parse_label_key


def test_counters_add_and_labels_are_canonical() -> None:
    r = Recorder()
    r.inc("http_requests_total", method="POST", endpoint="/w", status_code="200", function_version="3")
    r.inc("http_requests_total", 2, function_version="3", status_code="200", endpoint="/w", method="POST")
    adds, _ = r.pending()
    labels = {"method": "POST", "endpoint": "/w", "status_code": "200", "function_version": "3"}
    key = ("http_requests_total", label_key(labels))
    assert adds == {key: 3.0}
    assert parse_label_key(key[1]) == labels


def test_histogram_buckets_are_cumulative_with_sum_and_count() -> None:
    r = Recorder()
    r.observe("orchestrator_latency_seconds", 0.03, intent="greeting")
    adds, _ = r.pending()
    fields = {field.split("|", 1)[1]: v for (_, field), v in adds.items()}
    assert "le=0.025" not in fields
    assert fields["le=0.05"] == fields["le=+Inf"] == fields["count"] == 1
    assert fields["sum"] == pytest.approx(0.03)


def test_unknown_metric_or_wrong_labels_fail_loudly() -> None:
    r = Recorder()
    with pytest.raises(ValueError):
        r.inc("no_such_metric_total")
    with pytest.raises(ValueError):
        r.inc("http_requests_total", method="GET")
    with pytest.raises(ValueError):
        r.set("http_requests_total", 1, method="GET", endpoint="/", status_code="200")


class BrokenRedis:
    def pipeline(self, transaction: bool = False) -> "BrokenRedis":
        raise ConnectionError("redis down")


def test_flush_failure_drops_deltas_without_raising() -> None:
    r = Recorder()
    r.inc("pms_cache_hits_total")
    assert r.flush(BrokenRedis()) is False
    assert r.pending() == ({}, {})


def test_after_a_redis_error_flushes_skip_redis_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    from hotel_common import metrics as module
    from hotel_common.redis_client import RedisBackoff

    now = [100.0]
    monkeypatch.setattr(module, "_flush_backoff", RedisBackoff(seconds=5, clock=lambda: now[0]))
    calls = []

    def dead_redis() -> BrokenRedis:
        calls.append(now[0])
        return BrokenRedis()

    module.metrics.inc("pms_cache_hits_total")
    assert module.flush(dead_redis) is False
    module.metrics.inc("pms_cache_hits_total")
    assert module.flush(dead_redis) is False  # within the backoff: Redis is not tried again
    assert calls == [100.0]
    assert module.metrics.pending() == ({}, {})
    now[0] = 106.0
    module.flush(dead_redis)
    assert calls == [100.0, 106.0]
