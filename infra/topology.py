"""The one declaration of agente-hotel's serverless topology.

Functions, HTTP routes, queues, event source mappings, tables, buckets and schedules, in plain Python (no
CDK import). The CDK app (`infra/cdk/`) and the local stack (`scripts/local/`) both read this module, so
the cloud and the offline stack cannot drift apart. Names here are logical; `physical_name` adds the
application and stage prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

APP = "agente-hotel"


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Function:
    name: str
    handler: str
    description: str
    timeout_seconds: int = 10
    memory_mb: int = 256
    environment: Mapping[str, str] = field(default_factory=_frozen)
    # Resource references: environment variable -> logical resource name. The deployer injects the
    # physical URL/name (queue URL, table name, bucket name).
    queue_urls: Mapping[str, str] = field(default_factory=_frozen)
    table_names: Mapping[str, str] = field(default_factory=_frozen)
    bucket_names: Mapping[str, str] = field(default_factory=_frozen)
    invokes: tuple[str, ...] = ()  # functions it calls with the Lambda Invoke API
    uses_redis: bool = True
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    # Per-route throttling at the API (the original system's per-client limits, enforced in the function
    # with Redis, are separate and stricter).
    throttle_rate_per_second: float = 50.0
    throttle_burst: int = 100


@dataclass(frozen=True)
class Queue:
    name: str
    fifo: bool = True
    visibility_timeout_seconds: int = 60
    max_receive_count: int = 5
    retention_seconds: int = 4 * 24 * 3600
    dlq_retention_seconds: int = 14 * 24 * 3600
    content_based_deduplication: bool = False

    @property
    def dlq_name(self) -> str:
        return f"{self.name}-dlq"


@dataclass(frozen=True)
class EventSource:
    queue: str
    function: str
    batch_size: int = 10
    max_batching_window_seconds: int = 0
    report_batch_item_failures: bool = True
    max_concurrency: int | None = None


@dataclass(frozen=True)
class GlobalIndex:
    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[GlobalIndex, ...] = ()


@dataclass(frozen=True)
class Bucket:
    name: str
    expire_after_days: int | None = None


@dataclass(frozen=True)
class Schedule:
    name: str
    function: str
    every_seconds: int


# -- the topology -------------------------------------------------------------------------------------

QUEUES: tuple[Queue, ...] = (
    # Raw webhook bodies. Visibility = 6x the normalizer's timeout (AWS guidance for event source mappings).
    Queue("inbound", visibility_timeout_seconds=60, max_receive_count=5),
    # One event per guest message/status; group = business number + guest, so order holds per guest.
    # Visibility = 6x the orchestrator's timeout.
    Queue("messages", visibility_timeout_seconds=600, max_receive_count=5),
)

TABLES: tuple[Table, ...] = (
    Table("idempotency", partition_key="id", ttl_attribute="expiration"),
    # Tenants, their identifier claims and links in one table; key layout in hotel_common/tenancy/keys.py.
    Table(
        "tenants",
        partition_key="pk",
        sort_key="sk",
        indexes=(GlobalIndex("tenant_list", partition_key="gsi1pk", sort_key="gsi1sk"),),
    ),
    # Conversation state per tenant + guest (the orchestrator's dialog), versioned, expiring.
    Table("conversations", partition_key="pk", ttl_attribute="expires_at"),
)

BUCKETS: tuple[Bucket, ...] = (
    # Claim checks for webhook bodies larger than an SQS message.
    Bucket("payloads", expire_after_days=14),
)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="webhook",
        handler="functions.webhook.handler.handler",
        description="WhatsApp webhook: verify, rate-limit, enqueue, answer 200 fast",
        timeout_seconds=5,
        memory_mb=512,
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "webhook"}),
        queue_urls=_frozen({"INBOUND_QUEUE_URL": "inbound"}),
        bucket_names=_frozen({"PAYLOAD_BUCKET": "payloads"}),
    ),
    Function(
        name="normalizer",
        handler="functions.normalizer.handler.handler",
        description="WhatsApp payload -> normalized message and status events",
        timeout_seconds=10,
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "normalizer"}),
        queue_urls=_frozen({"MESSAGES_QUEUE_URL": "messages"}),
        bucket_names=_frozen({"PAYLOAD_BUCKET": "payloads"}),
        table_names=_frozen({"TENANTS_TABLE": "tenants"}),
    ),
    Function(
        name="orchestrator",
        handler="functions.orchestrator.handler.handler",
        description="Conversation: idempotent per message, dialog, replies through the Graph API",
        # A booking waits for pms_proxy up to its own 75 s timeout (QloApps mails synchronously), plus
        # the reply and the state write, plus the records before it in the batch.
        timeout_seconds=100,
        memory_mb=512,
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "orchestrator"}),
        table_names=_frozen(
            {"IDEMPOTENCY_TABLE": "idempotency", "TENANTS_TABLE": "tenants", "CONVERSATIONS_TABLE": "conversations"}
        ),
        invokes=("pms_proxy",),
    ),
    Function(
        name="pms_proxy",
        handler="functions.pms_proxy.handler.handler",
        description="QloApps per tenant: cache, shared circuit breaker, retries, booking lock, idempotency",
        # Above PMS_BOOKING_TIMEOUT_SECONDS (45 s; a real QloApps books in up to ~40 s because it mails
        # synchronously) plus the look-up after an uncertain create. Callers' invoke timeouts must allow it.
        timeout_seconds=75,
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "pms_proxy"}),
        table_names=_frozen({"TENANTS_TABLE": "tenants"}),
    ),
    Function(
        name="tenant_admin",
        handler="functions.tenant_admin.handler.handler",
        description="Tenant administration API and operator dashboard (FastAPI behind Mangum)",
        timeout_seconds=10,
        memory_mb=512,
        # ADMIN_API_TOKEN_SECRET_ARN (the bearer token in Secrets Manager) is set by the deployer.
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "tenant_admin"}),
        table_names=_frozen({"TENANTS_TABLE": "tenants"}),
    ),
    Function(
        name="health",
        handler="functions.health.handler.handler",
        description="GET /health/live, /health/ready (dependency checks) and /metrics (text format)",
        timeout_seconds=5,
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "health"}),
        # Read only in practice (DescribeTable, GetQueueAttributes); referenced to learn the names.
        queue_urls=_frozen({"INBOUND_QUEUE_URL": "inbound"}),
        table_names=_frozen({"TENANTS_TABLE": "tenants", "IDEMPOTENCY_TABLE": "idempotency"}),
    ),
    Function(
        name="metrics_exporter",
        handler="functions.metrics_exporter.handler.handler",
        description="Redis-aggregated metrics -> Prometheus remote write (SigV4 to AMP)",
        # In AWS one invocation a minute pushes every 15 s (see functions/metrics_exporter/service.py).
        timeout_seconds=55,
        environment=_frozen({"POWERTOOLS_SERVICE_NAME": "metrics_exporter"}),
    ),
)

ROUTES: tuple[Route, ...] = (
    Route("GET", "/webhooks/whatsapp", "webhook", throttle_rate_per_second=10, throttle_burst=20),
    Route("POST", "/webhooks/whatsapp", "webhook", throttle_rate_per_second=200, throttle_burst=400),
    *(
        Route(method, path, "tenant_admin", throttle_rate_per_second=5, throttle_burst=10)
        for method, path in (
            ("GET", "/admin/tenants"),
            ("POST", "/admin/tenants"),
            ("POST", "/admin/tenants/refresh"),
            ("GET", "/admin/tenants/{tenant_id}"),
            ("PATCH", "/admin/tenants/{tenant_id}"),
            ("POST", "/admin/tenants/{tenant_id}/identifiers"),
            ("DELETE", "/admin/tenants/{tenant_id}/identifiers/{identifier}"),
            ("GET", "/admin/dashboard"),
            ("GET", "/admin/openapi.json"),
        )
    ),
    Route("GET", "/health/live", "health", throttle_rate_per_second=20, throttle_burst=40),
    Route("GET", "/health/ready", "health", throttle_rate_per_second=5, throttle_burst=10),
    Route("GET", "/metrics", "health", throttle_rate_per_second=5, throttle_burst=10),
)

EVENT_SOURCES: tuple[EventSource, ...] = (
    EventSource(queue="inbound", function="normalizer", batch_size=10),
    EventSource(queue="messages", function="orchestrator", batch_size=10),
)

SCHEDULES: tuple[Schedule, ...] = (Schedule("metrics-export", "metrics_exporter", every_seconds=15),)


# -- lookups ------------------------------------------------------------------------------------------


def physical_name(stage: str, logical: str, *, fifo: bool = False) -> str:
    name = f"{APP}-{stage}-{logical}"
    return f"{name}.fifo" if fifo else name


def queue_physical_name(stage: str, queue: Queue, *, dlq: bool = False) -> str:
    return physical_name(stage, queue.dlq_name if dlq else queue.name, fifo=queue.fifo)


def function(name: str) -> Function:
    return _by_name(FUNCTIONS, name)


def queue(name: str) -> Queue:
    return _by_name(QUEUES, name)


def table(name: str) -> Table:
    return _by_name(TABLES, name)


def routes_of(function_name: str) -> tuple[Route, ...]:
    return tuple(r for r in ROUTES if r.function == function_name)


def _by_name(items: tuple, name: str):  # type: ignore[no-untyped-def]
    for item in items:
        if item.name == name:
            return item
    raise KeyError(name)


def validate() -> None:
    """Every reference resolves; called by tests, the CDK app and the local stack."""
    names = {f.name for f in FUNCTIONS}
    queues = {q.name for q in QUEUES}
    tables = {t.name for t in TABLES}
    buckets = {b.name for b in BUCKETS}
    problems: list[str] = []
    for f in FUNCTIONS:
        problems += [f"{f.name}: unknown queue {q}" for q in f.queue_urls.values() if q not in queues]
        problems += [f"{f.name}: unknown table {t}" for t in f.table_names.values() if t not in tables]
        problems += [f"{f.name}: unknown bucket {b}" for b in f.bucket_names.values() if b not in buckets]
        problems += [f"{f.name}: invokes unknown {i}" for i in f.invokes if i not in names]
        if not f.handler.startswith(f"functions.{f.name}."):
            problems.append(f"{f.name}: handler {f.handler} outside functions/{f.name}")
    problems += [f"route {r.method} {r.path}: unknown function" for r in ROUTES if r.function not in names]
    for es in EVENT_SOURCES:
        if es.queue not in queues or es.function not in names:
            problems.append(f"event source {es}: unknown queue or function")
        elif queue(es.queue).visibility_timeout_seconds < 6 * function(es.function).timeout_seconds:
            problems.append(f"queue {es.queue}: visibility timeout below 6x {es.function}'s timeout")
        if queue(es.queue).fifo and es.max_batching_window_seconds:
            problems.append(f"{es.queue}: FIFO event sources take no batching window")
    problems += [f"schedule {s.name}: unknown function" for s in SCHEDULES if s.function not in names]
    if problems:
        raise ValueError("; ".join(problems))
