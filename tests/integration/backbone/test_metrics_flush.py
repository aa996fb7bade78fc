"""Counters stay exact across many Lambda containers: every container flushes deltas into Redis."""

from __future__ import annotations

import threading
from typing import Any

from hotel_common.metrics import Recorder, label_key


def test_many_containers_flushing_the_same_counter_give_the_exact_sum(redis_db: Any) -> None:
    containers = [Recorder() for _ in range(8)]

    def invocation_loop(recorder: Recorder) -> None:
        for _ in range(50):  # 50 invocations, 3 messages each, flushing at the end of each
            recorder.inc("orchestrator_messages_total", 3, intent="greeting", status="ok")
            recorder.observe("orchestrator_latency_seconds", 0.2, intent="greeting")
            assert recorder.flush(redis_db)

    threads = [threading.Thread(target=invocation_loop, args=(c,)) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    field = label_key({"intent": "greeting", "status": "ok"})
    assert float(redis_db.hget("metrics:orchestrator_messages_total", field)) == 8 * 50 * 3
    count = redis_db.hget("metrics:orchestrator_latency_seconds", label_key({"intent": "greeting"}) + "|count")
    assert float(count) == 400
    assert redis_db.hget("metrics:index", "orchestrator_latency_seconds") == b"histogram"


def test_gauges_take_the_last_value(redis_db: Any) -> None:
    a, b = Recorder(), Recorder()
    a.set("readiness_up", 1)
    a.flush(redis_db)
    b.set("readiness_up", 0)
    b.flush(redis_db)
    assert float(redis_db.hget("metrics:readiness_up", "[]")) == 0.0
