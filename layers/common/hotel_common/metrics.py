"""Metrics that stay correct across many concurrent Lambda instances.

Each invocation records into process-local deltas; `flush()` adds them at the end of the invocation into
cumulative series in Redis in one pipelined round trip (counters and histogram buckets add, gauges set).
The exporter function reads those series and remote-writes them to Prometheus. Names are the original
system's (ARCHITECTURE.md) and are declared once, here.

Redis layout (one hash per metric; field = canonical label set, see `label_key`):
    metrics:index                     hash  metric name -> kind
    metrics:{name}                    counters and gauges: field -> value
    metrics:{name}                    histograms: field "<labels>|le=<bound>", "<labels>|sum", "<labels>|count"
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from hotel_common.logging import get_logger

Kind = Literal["counter", "gauge", "histogram"]
KEY_PREFIX = "metrics:"
INDEX_KEY = "metrics:index"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

logger = get_logger()


@dataclass(frozen=True)
class MetricDef:
    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = LATENCY_BUCKETS


def _defs(*items: MetricDef) -> dict[str, MetricDef]:
    return {item.name: item for item in items}


DEFINITIONS: dict[str, MetricDef] = _defs(
    # HTTP (every API function through one middleware)
    MetricDef("http_requests_total", "counter", "HTTP requests", ("method", "endpoint", "status_code")),
    MetricDef("request_duration_seconds", "histogram", "HTTP request duration", ("method", "endpoint")),
    MetricDef("active_connections", "gauge", "HTTP requests in flight in the last flushing container"),
    MetricDef("webhook_enqueued_total", "counter", "Webhook bodies put on the inbound queue", ("storage",)),
    MetricDef("webhook_rejected_total", "counter", "Webhook requests refused", ("reason",)),
    MetricDef("rate_limit_fail_open_total", "counter", "Rate-limit checks skipped on a storage error"),
    # PMS
    MetricDef("pms_api_latency_seconds", "histogram", "QloApps call latency", ("endpoint", "method")),
    MetricDef("pms_operations_total", "counter", "PMS operations", ("operation", "status")),
    MetricDef("pms_errors_total", "counter", "PMS errors", ("operation", "error_type")),
    MetricDef("pms_cache_hits_total", "counter", "PMS cache hits"),
    MetricDef("pms_cache_misses_total", "counter", "PMS cache misses"),
    MetricDef("pms_circuit_breaker_state", "gauge", "0 closed, 1 open, 2 half-open", ("tenant_id",)),
    MetricDef("pms_circuit_breaker_calls_total", "counter", "Calls through the breaker", ("state", "result")),
    MetricDef("pms_circuit_breaker_failure_streak", "gauge", "Consecutive failures", ("tenant_id",)),
    MetricDef("retry_attempts_total", "counter", "Retries", ("operation", "exception")),
    # Tenancy
    MetricDef("tenant_resolution_total", "counter", "Tenant resolutions", ("result",)),
    MetricDef("tenants_active_total", "gauge", "Active tenants in the resolver cache"),
    MetricDef("tenant_identifiers_cached_total", "gauge", "Identifiers in the resolver cache"),
    MetricDef("tenant_refresh_latency_seconds", "histogram", "Tenant map refresh latency"),
    MetricDef("tenant_refresh_errors_total", "counter", "Tenant map refresh/version failures", ("reason",)),
    MetricDef("admin_rejected_total", "counter", "Admin API requests refused", ("reason",)),
    # Normalization
    MetricDef("message_normalized_total", "counter", "Normalized events", ("canal", "tenant_id")),
    MetricDef("message_normalization_errors_total", "counter", "Normalization errors", ("canal", "error_type")),
    MetricDef("message_normalization_latency_seconds", "histogram", "Normalization latency per record"),
    MetricDef("message_dropped_total", "counter", "Events dropped on purpose", ("stage", "reason")),
    # Orchestrator
    MetricDef("orchestrator_messages_total", "counter", "Guest messages handled", ("intent", "status")),
    MetricDef("orchestrator_latency_seconds", "histogram", "Guest message handling latency", ("intent",)),
    MetricDef("orchestrator_pms_calls_total", "counter", "pms_proxy calls", ("operation", "result")),
    MetricDef("orchestrator_handoff_total", "counter", "Handoffs to staff", ("result",)),
    MetricDef("orchestrator_state_errors_total", "counter", "Conversation state failures", ("reason",)),
    MetricDef("orchestrator_send_failures_total", "counter", "Replies not delivered", ("reason",)),
    MetricDef("whatsapp_status_total", "counter", "Delivery statuses received", ("status",)),
    MetricDef("whatsapp_send_total", "counter", "Graph API sends", ("type", "result")),
    # Readiness
    MetricDef("dependency_up", "gauge", "1 when the dependency answered the readiness check", ("name",)),
    MetricDef("readiness_up", "gauge", "1 when every dependency is up"),
    MetricDef("readiness_last_check_timestamp", "gauge", "Unix time of the last readiness check"),
)


def label_key(labels: Mapping[str, str]) -> str:
    """Canonical, sorted encoding of a label set (also the Redis hash field)."""
    return json.dumps(sorted((k, str(v)) for k, v in labels.items()), separators=(",", ":"))


def parse_label_key(key: str) -> dict[str, str]:
    return {k: v for k, v in json.loads(key)}


class Recorder:
    """Process-local deltas since the last flush. Thread-safe: the local stack runs threads."""

    def __init__(self, definitions: Mapping[str, MetricDef] = DEFINITIONS) -> None:
        self._defs = definitions
        self._lock = threading.Lock()
        self._adds: dict[tuple[str, str], float] = {}
        self._sets: dict[tuple[str, str], float] = {}

    def _check(self, name: str, kind: Kind, labels: Mapping[str, Any]) -> MetricDef:
        definition = self._defs.get(name)
        if definition is None or definition.kind != kind:
            raise ValueError(f"unknown {kind} {name!r}")
        if set(labels) != set(definition.labels):
            raise ValueError(f"{name} takes labels {definition.labels}, got {tuple(labels)}")
        return definition

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        self._check(name, "counter", labels)
        key = (name, label_key(labels))
        with self._lock:
            self._adds[key] = self._adds.get(key, 0.0) + amount

    def set(self, name: str, value: float, **labels: Any) -> None:
        self._check(name, "gauge", labels)
        with self._lock:
            self._sets[(name, label_key(labels))] = float(value)

    def observe(self, name: str, value: float, **labels: Any) -> None:
        definition = self._check(name, "histogram", labels)
        lkey = label_key(labels)
        with self._lock:
            for bound in (*definition.buckets, float("inf")):
                if value <= bound:
                    field = f"{lkey}|le={_format_bound(bound)}"
                    self._adds[(name, field)] = self._adds.get((name, field), 0.0) + 1
            for field, amount in ((f"{lkey}|sum", value), (f"{lkey}|count", 1.0)):
                self._adds[(name, field)] = self._adds.get((name, field), 0.0) + amount

    @contextmanager
    def timer(self, name: str, **labels: Any) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.observe(name, time.perf_counter() - start, **labels)

    def pending(self) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
        with self._lock:
            return dict(self._adds), dict(self._sets)

    def drain(self) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
        with self._lock:
            adds, sets = self._adds, self._sets
            self._adds, self._sets = {}, {}
            return adds, sets

    def flush(self, redis_client: Any) -> bool:
        """Add the deltas to Redis in one pipelined round trip. Never raises: on a Redis error the
        deltas are dropped and the drop is logged with its size (the invocation must not fail)."""
        adds, sets = self.drain()
        if not adds and not sets:
            return True
        try:
            pipe = redis_client.pipeline(transaction=False)
            kinds = {name: self._defs[name].kind for name, _ in (*adds, *sets)}
            pipe.hset(INDEX_KEY, mapping=kinds)
            for (name, field), amount in adds.items():
                pipe.hincrbyfloat(KEY_PREFIX + name, field, amount)
            for (name, field), value in sets.items():
                pipe.hset(KEY_PREFIX + name, field, repr(value))
            pipe.execute()
            return True
        except Exception as exc:
            logger.warning(
                "metrics flush failed; deltas dropped",
                extra={"dropped_series": len(adds) + len(sets), "error": type(exc).__name__},
            )
            return False


def _format_bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)


metrics = Recorder()


def flush(redis_factory: Callable[[], Any] | None = None) -> bool:
    """Flush the container's recorder to the Redis of `REDIS_URL` (end of every invocation)."""
    try:
        if redis_factory is None:
            from hotel_common.redis_client import get_redis

            redis_factory = get_redis
        client = redis_factory()
    except Exception as exc:
        logger.warning("metrics flush skipped: no redis", extra={"error": type(exc).__name__})
        metrics.drain()
        return False
    return metrics.flush(client)
