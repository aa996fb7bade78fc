"""Readiness checks against the real dependencies, each with its own short timeout and no retry (a
readiness probe measures the dependency now; retrying would only hide a slow one), and the admin token."""

from __future__ import annotations

import hmac
import json
from functools import cache
from typing import Any

from hotel_common.config import HealthSettings

from .service import Check


@cache
def _aws_client(service: str, timeout: float) -> Any:
    from botocore.config import Config

    from hotel_common import aws

    config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1})
    return aws.configured_client(service, config)


@cache
def _http(timeout: float) -> Any:
    import urllib3

    return urllib3.PoolManager(num_pools=4, timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False)


def dynamodb_check(table: str, timeout: float) -> Check:
    def check() -> None:
        _aws_client("dynamodb", timeout).describe_table(TableName=table)

    return check


def sqs_check(queue_url: str, timeout: float) -> Check:
    def check() -> None:
        _aws_client("sqs", timeout).get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])

    return check


def redis_check(timeout: float) -> Check:
    def check() -> None:
        from hotel_common.redis_client import get_redis

        if not get_redis(timeout=timeout).ping():
            raise ConnectionError("no PONG")

    return check


class PmsUnavailable(Exception):
    """The PMS answered with a server error."""


def pms_base_url(settings: HealthSettings) -> str:
    """The default tenant's QloApps URL from the tenant directory; QLOAPPS_BASE_URL when it has none."""
    from hotel_common.tenancy import get_tenant

    tenant = get_tenant(settings.DEFAULT_TENANT_ID)
    if tenant is not None and tenant.pms is not None:
        return str(tenant.pms.base_url)
    return settings.QLOAPPS_BASE_URL


def pms_check(settings: HealthSettings, timeout: float) -> Check:
    """Any answer below 500 means the webservice is up (without a key QloApps answers 401)."""

    def check() -> None:
        url = pms_base_url(settings).rstrip("/") + "/api/"
        status = _http(timeout).request("GET", url).status
        if status >= 500:
            raise PmsUnavailable(str(status))

    return check


def readiness_checks(settings: HealthSettings) -> dict[str, Check]:
    timeout = settings.READINESS_CHECK_TIMEOUT_SECONDS
    checks = {"redis": redis_check(timeout), "pms": pms_check(settings, timeout)}
    table = settings.TENANTS_TABLE or settings.IDEMPOTENCY_TABLE
    if table:
        checks["dynamodb"] = dynamodb_check(table, timeout)
    if settings.INBOUND_QUEUE_URL:
        checks["sqs"] = sqs_check(settings.INBOUND_QUEUE_URL, timeout)
    return checks


class TokenUnavailable(Exception):
    """The expected token could not be read (Secrets Manager down or the secret empty)."""


class AdminToken:
    """The admin bearer token: from Secrets Manager when ADMIN_API_TOKEN_SECRET_ARN is set (AWS; cached
    by Powertools for `max_age`), else ADMIN_API_TOKEN. A JSON secret holds it under "ADMIN_API_TOKEN"."""

    def __init__(self, settings: HealthSettings, secrets_client: Any | None = None) -> None:
        self._static = settings.ADMIN_API_TOKEN.get_secret_value()
        self._arn = settings.ADMIN_API_TOKEN_SECRET_ARN
        self._max_age = settings.ADMIN_TOKEN_CACHE_SECONDS
        self._client = secrets_client
        self._provider: Any = None

    def expected(self) -> str:
        if not self._arn:
            return self._static
        if self._provider is None:
            from aws_lambda_powertools.utilities.parameters import SecretsProvider

            from hotel_common import aws

            self._provider = SecretsProvider(boto3_client=self._client or aws.client("secretsmanager"))
        try:
            raw = self._provider.get(self._arn, max_age=self._max_age)
        except Exception as exc:
            raise TokenUnavailable(type(exc).__name__) from exc
        token = raw.decode() if isinstance(raw, bytes) else str(raw or "")
        if token.lstrip().startswith("{"):
            token = str(json.loads(token).get("ADMIN_API_TOKEN", ""))
        if not token:
            raise TokenUnavailable("empty secret")
        return token

    def matches(self, authorization: str | None) -> bool:
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return False
        return hmac.compare_digest(presented.strip().encode(), self.expected().encode())
