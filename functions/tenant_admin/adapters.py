"""Edges of the admin API: the bearer token source, the per-client rate limiter and the message counts
read from the metrics hashes in Redis."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from hotel_common.logging import get_logger
from hotel_common.metrics import KEY_PREFIX, metrics, parse_label_key
from hotel_common.redis_client import CONNECTION_OPTIONS

logger = get_logger()


class TokenUnavailable(Exception):
    pass


class AdminToken:
    """The expected bearer token: from Secrets Manager when a secret ARN is configured (AWS), else the
    ADMIN_API_TOKEN setting (local). Powertools caches the secret for `max_age` seconds, so rotation is
    picked up without a redeploy and a warm container makes no call per request."""

    def __init__(
        self, static_token: str, secret_arn: str = "", max_age: int = 300, secrets_client: Any | None = None
    ) -> None:
        self._static, self._arn, self._max_age = static_token, secret_arn, max_age
        self._provider: Any = None
        if secret_arn:
            from aws_lambda_powertools.utilities.parameters import SecretsProvider

            if secrets_client is None:
                from hotel_common import aws

                secrets_client = aws.client("secretsmanager")
            self._provider = SecretsProvider(boto3_client=secrets_client)

    def expected(self) -> str:
        if self._provider is None:
            return self._static
        try:
            value = self._provider.get(self._arn, max_age=self._max_age)
        except Exception as exc:
            raise TokenUnavailable(type(exc).__name__) from exc
        token = value.decode() if isinstance(value, bytes) else str(value or "")
        if not token:
            raise TokenUnavailable("empty secret")
        return token

    def matches(self, authorization: str | None) -> bool:
        """Constant-time comparison of `Authorization: Bearer <token>`."""
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not presented:
            return False
        return hmac.compare_digest(presented.strip().encode(), self.expected().encode())


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    retry_after_seconds: int = 0


class ClientRateLimiter:
    """Moving-window limit per client on Redis (`limits`). Fails open on a storage error: operators keep
    their tool when Redis is down, and the skip is logged and counted."""

    def __init__(self, redis_url: str, limit: str, timeout: float = 0.3, scope: str = "tenant_admin") -> None:
        from limits import parse
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        storage = storage_from_string(
            redis_url, socket_timeout=timeout, socket_connect_timeout=timeout, **CONNECTION_OPTIONS
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = parse(limit)
        self._scope = scope

    def hit(self, client: str) -> LimitDecision:
        try:
            if self._limiter.hit(self._item, self._scope, client):
                return LimitDecision(True)
            reset_at, _remaining = self._limiter.get_window_stats(self._item, self._scope, client)
        except Exception as exc:
            metrics.inc("rate_limit_fail_open_total")
            logger.warning("rate limit storage unavailable; failing open", extra={"error": type(exc).__name__})
            return LimitDecision(True)
        return LimitDecision(False, max(1, int(reset_at - dt.datetime.now(dt.UTC).timestamp()) + 1))


class MessageCounts:
    """message_normalized_total per tenant, summed over channels, from the cumulative Redis hash the
    functions flush into (layout in hotel_common/metrics.py)."""

    METRIC = "message_normalized_total"

    def __init__(self, redis_client: Any) -> None:
        self._redis = redis_client

    def per_tenant(self) -> dict[str, int] | None:
        """Counts by tenant_id, or None when Redis cannot be read (the dashboard says so)."""
        try:
            raw = self._redis.hgetall(KEY_PREFIX + self.METRIC)
        except Exception as exc:
            logger.warning("message counts unavailable", extra={"error": type(exc).__name__})
            return None
        counts: dict[str, int] = {}
        for field, value in raw.items():
            try:
                labels = parse_label_key(field.decode() if isinstance(field, bytes) else field)
                tenant = labels.get("tenant_id", "none")
                counts[tenant] = counts.get(tenant, 0) + int(float(value))
            except (ValueError, TypeError):
                continue
        return counts
