"""pms_proxy: the orchestrator's way to the hotels' QloApps, through the Lambda Invoke API.

The request and response shapes are in `models.py`; the logic in `proxy.py`. Answers are always a JSON
object (errors included), so the caller never has to parse a Lambda function error for a PMS failure.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.pms_proxy.proxy import PmsProxy
from functions.pms_proxy.wiring import CacheReadAhead, build_proxy
from hotel_common import snapstart
from hotel_common.config import PmsProxySettings, load
from hotel_common.logging import get_logger
from hotel_common.metrics import flush

logger = get_logger("pms_proxy")
snapstart.prime(
    modules=("hotel_common.tenancy.store", "hotel_common.tenancy.version", "httpcore", "redis"),
    aws_clients=("secretsmanager",),
)


@cache
def proxy() -> PmsProxy:
    from hotel_common.redis_client import get_redis, shared_read_ahead
    from hotel_common.tenancy import get_tenant, loaded_tenant

    read_ahead = CacheReadAhead(shared_read_ahead(), loaded_tenant)
    return build_proxy(load(PmsProxySettings), get_redis(), get_tenant, read_ahead=read_ahead)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return proxy().handle(event)
    finally:
        flush()
