"""Health routes (API Gateway HTTP API): GET /health/live, GET /health/ready, GET /metrics.

Powertools' resolver rather than FastAPI (about 230 ms less cold start); boto3, redis and the tenancy
module are imported on first use, so /health/live answers without them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_common import snapstart
from hotel_common.config import HealthSettings, load
from hotel_common.http_metrics import http_metrics_middleware
from hotel_common.logging import get_logger
from hotel_common.metrics import flush, metrics

from .service import CONTENT_TYPE, check_readiness, exposition

logger = get_logger("health")
snapstart.prime(modules=("hotel_common.redis_client", "redis"), aws_clients=("dynamodb", "sqs", "secretsmanager"))
app = APIGatewayHttpResolver()
app.use(middlewares=[http_metrics_middleware])
# Checks run concurrently; a stuck one holds a worker only until its own timeout.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness")


@cache
def _settings() -> HealthSettings:
    return load(HealthSettings)


@cache
def _checks() -> dict[str, Any]:
    from .adapters import readiness_checks

    return readiness_checks(_settings())


@cache
def _token() -> Any:
    from .adapters import AdminToken

    return AdminToken(_settings())


def _text(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_PLAIN, body=body)


@app.get("/health/live")
def live() -> Response:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body={"status": "alive"})


@app.get("/health/ready")
def ready() -> Response:
    s = _settings()
    readiness = check_readiness(_checks(), _executor, s.READINESS_TOTAL_TIMEOUT_SECONDS)
    for name, state in readiness.dependencies.items():
        metrics.set("dependency_up", 1 if state.up else 0, name=name)
    metrics.set("readiness_up", 1 if readiness.ready else 0)
    metrics.set("readiness_last_check_timestamp", readiness.checked_at)
    if not readiness.ready:
        down = {n: d.error for n, d in readiness.dependencies.items() if not d.up}
        logger.warning("not ready", extra={"down": down})
    return Response(
        status_code=200 if readiness.ready else 503,
        content_type=content_types.APPLICATION_JSON,
        body=readiness.body(),
    )


@app.get("/metrics")
def metrics_text() -> Response:
    if _settings().is_production:
        from .adapters import TokenUnavailable

        try:
            allowed = _token().matches(app.current_event.headers.get("authorization"))
        except TokenUnavailable as exc:
            logger.error("admin token unavailable", extra={"error": str(exc)})
            return _text(503, "token unavailable")
        if not allowed:
            return Response(
                status_code=401,
                content_type=content_types.TEXT_PLAIN,
                body="Unauthorized",
                headers={"WWW-Authenticate": "Bearer"},
            )
    from hotel_common.metrics import read_all
    from hotel_common.redis_client import get_redis

    try:
        series = read_all(get_redis())
    except Exception as exc:
        logger.warning("metrics unavailable", extra={"error": type(exc).__name__})
        return _text(503, "metrics store unavailable")
    return Response(status_code=200, content_type=CONTENT_TYPE, body=exposition(series))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return app.resolve(event, context)
    finally:
        flush()


def reset() -> None:
    """Forget the container's wiring (tests that change settings or endpoints)."""
    for cached in (_settings, _checks, _token):
        cached.cache_clear()
