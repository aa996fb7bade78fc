"""Metrics that stay correct across many concurrent Lambda instances.

Each invocation records into process-local deltas; `flush()` adds them at the end of the invocation into
cumulative series in Redis in one pipelined round trip (counters and histogram buckets add, gauges set).
The exporter function reads those series (`read_all`) and remote-writes them to Prometheus; `GET /metrics`
renders the same series in the text format. Names are the original
system's (ARCHITECTURE.md) and are declared once, here.

Redis layout (one hash per metric; field = canonical label set, see `label_key`):
    metrics:index                     hash  metric name -> kind
    metrics:{name}                    counters and gauges: field -> value
    metrics:{name}                    histograms: field "<labels>|le=<bound>", "<labels>|sum", "<labels>|count"
"""

from __future__ import annotations

import json
import os
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
    # function_version: the Lambda version that answered, so a canary diff tells apart two versions behind
    # one alias (scripts/ops/canary.py); one or two values per function at a time.
    MetricDef(
        "http_requests_total", "counter", "HTTP requests", ("method", "endpoint", "status_code", "function_version")
    ),
    MetricDef(
        "request_duration_seconds", "histogram", "HTTP request duration", ("method", "endpoint", "function_version")
    ),
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
    MetricDef(
        "circuit_breaker_fallback_total",
        "counter",
        "Breaker decisions taken per container because the shared state in Redis was unreachable",
        ("breaker",),
    ),
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
    MetricDef("message_dropped_total", "counter", "Events dropped on purpose", ("function", "reason")),
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
    # Metrics exporter (functions/metrics_exporter)
    MetricDef("metrics_export_total", "counter", "Remote-write pushes by outcome", ("result",)),
    MetricDef("metrics_export_series", "gauge", "Series sent by the last successful push"),
)


def function_version() -> str:
    """The version this environment runs: a published number behind an alias, else "$LATEST" (Lambda sets
    AWS_LAMBDA_FUNCTION_VERSION; the local stack runs $LATEST)."""
    return os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")


def label_key(labels: Mapping[str, str]) -> str:
    """Canonical, sorted encoding of a label set (also the Redis hash field)."""
    return json.dumps(sorted((k, str(v)) for k, v in labels.items()), separators=(",", ":"))


def parse_label_key(key: str) -> dict[str, str]:
    return {k: v for k, v in json.loads(key)}


class Recorder:
    """Process-local deltas since the last flush. Thread-safe: the local stack runs threads.

    The metric name and value are positional-only, so a label may be called `name` (dependency_up{name})."""

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

    def inc(self, name: str, amount: float = 1.0, /, **labels: Any) -> None:
        self._check(name, "counter", labels)
        key = (name, label_key(labels))
        with self._lock:
            self._adds[key] = self._adds.get(key, 0.0) + amount

    def set(self, name: str, value: float, /, **labels: Any) -> None:
        self._check(name, "gauge", labels)
        with self._lock:
            self._sets[(name, label_key(labels))] = float(value)

    def observe(self, name: str, value: float, /, **labels: Any) -> None:
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
    def timer(self, name: str, /, **labels: Any) -> Iterator[None]:
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


@dataclass(frozen=True)
class SeriesValue:
    """One cumulative series as Prometheus sees it: a histogram yields `<family>_bucket` (with `le`),
    `<family>_sum` and `<family>_count` series; counters and gauges keep their family name."""

    name: str
    labels: tuple[tuple[str, str], ...]  # sorted by name, without __name__
    value: float
    family: str
    kind: Kind


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _series_of(family: str, kind: Kind, field: str, value: float) -> SeriesValue:
    if kind != "histogram":
        return SeriesValue(family, tuple(sorted(parse_label_key(field).items())), value, family, kind)
    lkey, _, part = field.rpartition("|")
    labels = parse_label_key(lkey)
    if part.startswith("le="):
        labels["le"] = part[3:]
        name = f"{family}_bucket"
    else:
        name = f"{family}_{part}"
    return SeriesValue(name, tuple(sorted(labels.items())), value, family, kind)


def _order(series: SeriesValue) -> tuple[Any, ...]:
    """Family, then label set, then sum/count after the buckets in ascending `le`."""
    labels = tuple(item for item in series.labels if item[0] != "le")
    le = dict(series.labels).get("le")
    rank = 0 if le is not None else (1 if series.name.endswith("_sum") else 2)
    return (series.family, labels, rank, float(le) if le is not None else 0.0)


def read_all(redis_client: Any) -> list[SeriesValue]:
    """Every cumulative series in Redis, in a stable order (two round trips: the index, then one
    pipelined HGETALL per metric). Raises the client's error: callers decide what a failure means."""
    index = {_text(k): _text(v) for k, v in redis_client.hgetall(INDEX_KEY).items()}
    names = sorted(n for n, kind in index.items() if kind in ("counter", "gauge", "histogram"))
    if not names:
        return []
    pipe = redis_client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(KEY_PREFIX + name)
    series: list[SeriesValue] = []
    for name, fields in zip(names, pipe.execute(), strict=True):
        kind: Kind = index[name]  # type: ignore[assignment]
        values = {_text(field): _text(raw) for field, raw in fields.items()}
        if kind == "histogram" and name in DEFINITIONS:
            values = _with_empty_buckets(values, DEFINITIONS[name].buckets)
        for field, raw in values.items():
            try:
                series.append(_series_of(name, kind, field, float(raw)))
            except ValueError:
                logger.warning("metrics: unreadable field skipped", extra={"metric": name})
    series.sort(key=_order)
    return series


def _with_empty_buckets(fields: dict[str, str], buckets: tuple[float, ...]) -> dict[str, str]:
    """A bucket no observation fell into has no Redis field; its true value is 0. Emitting it keeps every
    label set's buckets complete, so histogram_quantile interpolates within the right bucket."""
    complete = dict(fields)
    for field in fields:
        lkey, _, part = field.rpartition("|")
        if part != "count":
            continue
        for bound in (*buckets, float("inf")):
            complete.setdefault(f"{lkey}|le={_format_bound(bound)}", "0")
    return complete


def _format_bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)


metrics = Recorder()


_flush_backoff: Any = None


def flush(redis_factory: Callable[[], Any] | None = None) -> bool:
    """Flush the container's recorder to the Redis of `REDIS_URL` (end of every invocation). For a few
    seconds after a failed flush the deltas are dropped at once instead of waiting on a dead Redis."""
    global _flush_backoff
    from hotel_common.redis_client import RedisBackoff, get_redis

    if _flush_backoff is None:
        _flush_backoff = RedisBackoff()
    if _flush_backoff.active:
        adds, sets = metrics.drain()
        logger.debug(
            "metrics flush skipped after a recent redis error", extra={"dropped_series": len(adds) + len(sets)}
        )
        return False
    try:
        client = (redis_factory or get_redis)()
    except Exception as exc:
        logger.warning("metrics flush skipped: no redis", extra={"error": type(exc).__name__})
        metrics.drain()
        _flush_backoff.failed()
        return False
    flushed = metrics.flush(client)
    if not flushed:
        _flush_backoff.failed()
    return flushed
