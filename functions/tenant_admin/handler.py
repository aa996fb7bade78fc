"""Tenant admin (API Gateway HTTP API -> Mangum -> FastAPI). Wiring only; the API is in app.py."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from hotel_common import snapstart
from hotel_common.config import TenantAdminSettings, load
from hotel_common.logging import get_logger
from hotel_common.metrics import flush
from hotel_common.redis_client import get_redis
from hotel_common.tenancy import default_cache
from hotel_common.tenancy.store import TenantStore
from hotel_common.tenancy.version import RedisVersion

from .adapters import AdminToken, ClientRateLimiter, MessageCounts
from .app import AdminDeps, create_app
from .service import TenantAdmin

logger = get_logger("tenant_admin")
snapstart.prime(
    modules=(
        "anyio._backends._asyncio",
        "anyio.streams.memory",
        "limits.storage",
        "limits.strategies",
        "pydantic.v1",
        "redis",
    ),
    aws_clients=("dynamodb", "secretsmanager"),
)


@cache
def _adapter() -> Mangum:
    s = load(TenantAdminSettings)
    deps = AdminDeps(
        admin=TenantAdmin(TenantStore(s.TENANTS_TABLE), RedisVersion(get_redis(), s.TENANTS_TABLE), default_cache()),
        token=AdminToken(
            s.ADMIN_API_TOKEN.get_secret_value(), s.ADMIN_API_TOKEN_SECRET_ARN, s.ADMIN_TOKEN_CACHE_SECONDS
        ),
        limiter=None if s.DEBUG else ClientRateLimiter(s.redis_url_with_auth, s.ADMIN_RATE_LIMIT),
        counts=MessageCounts(get_redis()),
    )
    return Mangum(create_app(deps), lifespan="off", api_gateway_base_path="/")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return dict(_adapter()(event, context))  # type: ignore[arg-type]
    finally:
        flush()


def reset() -> None:
    """Forget the container's wiring (tests that change settings or endpoints)."""
    _adapter.cache_clear()
