"""WhatsApp webhook (API Gateway HTTP API): GET subscription challenge, POST signed events.

The POST path does only signature, size/JSON checks, the per-client limit and the enqueue before its 200;
everything else happens downstream, after the body is durable on SQS.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_common import snapstart
from hotel_common.config import WebhookSettings, load
from hotel_common.http_metrics import http_metrics_middleware
from hotel_common.logging import get_logger
from hotel_common.metrics import flush, metrics

from .adapters import ClientRateLimiter, InboundQueue
from .service import Rejection, check_delivery, check_subscription

logger = get_logger("webhook")
app = APIGatewayHttpResolver()
snapstart.prime(
    modules=("hotel_common.redis_client", "limits.storage", "limits.strategies", "redis"),
    aws_clients=("sqs", "s3", "secretsmanager"),
)
ROUTE = "/webhooks/whatsapp"


@cache
def _settings() -> WebhookSettings:
    return load(WebhookSettings)


@cache
def _queue() -> InboundQueue:
    from hotel_common import aws  # botocore: only the POST path calls AWS

    s = _settings()
    return InboundQueue(aws.client("sqs"), s.INBOUND_QUEUE_URL, s.PAYLOAD_BUCKET, s.SQS_INLINE_MAX_BYTES)


@cache
def _limiter() -> ClientRateLimiter:
    s = _settings()
    return ClientRateLimiter(s.redis_url_with_auth, {"GET": s.RATE_LIMIT_GET, "POST": s.RATE_LIMIT_POST})


def _text(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_PLAIN, body=body, headers=headers)


def rate_limit_middleware(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    if _settings().DEBUG:
        return next_middleware(app)
    event = app.current_event
    decision = _limiter().hit(event.http_method, event.request_context.http.source_ip or "unknown", "webhook")
    if not decision.allowed:
        metrics.inc("webhook_rejected_total", reason="rate_limited")
        return _text(429, "Too Many Requests", {"Retry-After": str(decision.retry_after_seconds)})
    return next_middleware(app)


app.use(middlewares=[http_metrics_middleware, rate_limit_middleware])


@app.get(ROUTE)
def verify_subscription() -> Response:
    params = app.current_event.query_string_parameters or {}
    challenge = check_subscription(params, _settings().WHATSAPP_VERIFY_TOKEN.get_secret_value())
    if challenge is None:
        metrics.inc("webhook_rejected_total", reason="bad_verify_token")
        return _text(403, "Forbidden")
    return _text(200, challenge)


@app.post(ROUTE)
def receive_events() -> Response:
    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    settings = _settings()
    outcome = check_delivery(
        body,
        event.headers.get("x-hub-signature-256"),
        settings.WHATSAPP_APP_SECRET.get_secret_value(),
        settings.WEBHOOK_MAX_BODY_BYTES,
    )
    if isinstance(outcome, Rejection):
        metrics.inc("webhook_rejected_total", reason=outcome.reason)
        logger.warning("webhook refused", extra={"reason": outcome.reason, "bytes": len(body)})
        return _text(outcome.status, outcome.reason)
    message_id = _queue().put(outcome)
    logger.info("webhook enqueued", extra={"sqs_message_id": message_id, "bytes": len(body)})
    return _text(200, "EVENT_RECEIVED")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return app.resolve(event, context)
    finally:
        flush()
