"""Edges of the webhook: the inbound queue (with S3 claim check) and the per-client rate limiter."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.queues import CLAIM_CHECK_ATTRIBUTE
from hotel_common.redis_client import CONNECTION_OPTIONS, RedisBackoff

from .service import Delivery

logger = get_logger()


class InboundQueue:
    """Puts a webhook body on the inbound FIFO queue unchanged, or in S3 with its key on the queue when
    it is larger than an SQS message can hold (claim check), so no Meta delivery is refused for size."""

    def __init__(self, sqs: Any, queue_url: str, bucket: str, inline_max_bytes: int, s3: Any | None = None) -> None:
        self._sqs, self._s3 = sqs, s3
        self._queue_url, self._bucket, self._inline_max = queue_url, bucket, inline_max_bytes

    def _claim_store(self) -> Any:
        # Created on the first body too large for SQS: nearly every container never needs S3.
        if self._s3 is None:
            from hotel_common import aws

            self._s3 = aws.client("s3")
        return self._s3

    def put(self, delivery: Delivery) -> str:
        attributes: dict[str, Any] = {}
        if len(delivery.body) <= self._inline_max:
            body = delivery.body.decode("utf-8")
            storage = "sqs"
        else:
            key = f"inbound/{dt.datetime.now(dt.UTC):%Y/%m/%d}/{delivery.deduplication_id}.json"
            self._claim_store().put_object(
                Bucket=self._bucket, Key=key, Body=delivery.body, ContentType="application/json"
            )
            body = json.dumps({"bucket": self._bucket, "key": key, "bytes": len(delivery.body)})
            attributes[CLAIM_CHECK_ATTRIBUTE] = {"DataType": "String", "StringValue": "s3"}
            storage = "s3"
        response = self._sqs.send_message(
            QueueUrl=self._queue_url,
            MessageBody=body,
            MessageGroupId=delivery.group_id,
            MessageDeduplicationId=delivery.deduplication_id,
            MessageAttributes=attributes,
        )
        metrics.inc("webhook_enqueued_total", storage=storage)
        return str(response.get("MessageId", ""))


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    retry_after_seconds: int = 0


FAIL_OPEN_MESSAGE = "rate limit storage unavailable; failing open"


class ClientRateLimiter:
    """Moving-window limits per client on Redis (`limits`). Fails open: a dead Redis must not stop Meta's
    deliveries (they are durable once on SQS); the skip is logged and counted."""

    def __init__(self, redis_url: str, limits_by_method: dict[str, str], timeout: float = 0.3) -> None:
        from limits import parse
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        storage = storage_from_string(
            redis_url, socket_timeout=timeout, socket_connect_timeout=timeout, **CONNECTION_OPTIONS
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._limits = {method: parse(value) for method, value in limits_by_method.items()}
        self._backoff = RedisBackoff()

    def hit(self, method: str, client: str, scope: str) -> LimitDecision:
        item = self._limits.get(method)
        if item is None:
            return LimitDecision(True)
        if self._backoff.active:  # a recent Redis error: skip it rather than wait on its timeout again
            metrics.inc("rate_limit_fail_open_total")
            logger.warning(FAIL_OPEN_MESSAGE, extra={"error": "redis_backoff"})
            return LimitDecision(True)
        try:
            if self._limiter.hit(item, scope, method, client):
                return LimitDecision(True)
            reset_at, _remaining = self._limiter.get_window_stats(item, scope, method, client)
        except Exception as exc:
            metrics.inc("rate_limit_fail_open_total")
            self._backoff.failed()
            logger.warning(FAIL_OPEN_MESSAGE, extra={"error": type(exc).__name__})
            return LimitDecision(True)
        retry_after = max(1, int(reset_at - dt.datetime.now(dt.UTC).timestamp()) + 1)
        return LimitDecision(False, retry_after)
