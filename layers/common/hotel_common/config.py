"""Settings from the environment, composed by inheritance (one model per function family).

Names follow the original system (ARCHITECTURE.md). Local defaults let `make local` run with no
configuration; in production a secret that still holds a dummy value makes the function refuse to start.

The models are plain pydantic models that read their own fields from the environment (by exact name,
values validated and converted by pydantic as any input), then from Secrets Manager, then the defaults.
Not pydantic-settings: on import it loads python-dotenv and its cloud-provider sources, which none of our
functions uses, and that was 25-35 ms of every cold start (`make bench` cold init rows).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

# Values that must never reach production. Local defaults all start with "local-".
DUMMY_SECRET_VALUES = frozenset(
    {"", "changeme", "change-me", "dummy", "secret", "test", "password", "xxx", "todo", "default"}
)


def is_dummy_secret(value: str) -> bool:
    lowered = value.strip().lower()
    return lowered in DUMMY_SECRET_VALUES or lowered.startswith(("local-", "dev-", "dummy", "test-"))


# In AWS each of these variables holds the ARN of a JSON secret whose keys are setting names (the CDK app
# passes the ARNs and grants read); the secrets' values never sit in the function's environment. The admin
# token (ADMIN_API_TOKEN_SECRET_ARN) is not here: the admin and health functions read it per request with a
# short cache, so a rotated token takes effect without a cold start.
SECRET_ARN_VARIABLES = ("WHATSAPP_SECRET_ARN", "SECRET_KEY_SECRET_ARN", "REDIS_AUTH_SECRET_ARN")
SECRET_CACHE_SECONDS = 300


def read_json_secret(arn: str) -> dict[str, Any]:
    from hotel_common import aws

    value = _secrets_provider(aws.client("secretsmanager")).get(arn, max_age=SECRET_CACHE_SECONDS)
    data = json.loads(value) if isinstance(value, str | bytes) else value
    if not isinstance(data, dict):
        raise ValueError(f"secret {arn.rsplit(':', 1)[-1]} is not a JSON object")
    return data


@cache
def _secrets_provider(client: Any) -> Any:
    """One Powertools provider (and value cache) per client. Ours shares the container's botocore session
    and has our timeouts; Powertools' default provider would open a session of its own, without timeouts.
    Late import: only functions configured with secrets pay for Powertools parameters."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=client)


def secret_values(fields: Iterable[str]) -> dict[str, Any]:
    """The settings among `fields` held by the Secrets Manager secrets the `*_SECRET_ARN` variables name."""
    wanted = set(fields)
    values: dict[str, Any] = {}
    for variable in SECRET_ARN_VARIABLES:
        if arn := os.environ.get(variable):
            values.update({k: v for k, v in read_json_secret(arn).items() if k in wanted})
    return values


class CommonSettings(BaseModel):
    # Built on first use: a function builds the one or two settings classes it loads, not all of them.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        """Arguments first, then the environment, then the secrets; pydantic's defaults fill the rest."""
        given = dict(data) if isinstance(data, dict) else {}
        fields = cls.model_fields
        environment = {name: os.environ[name] for name in fields if name in os.environ}
        return {**secret_values(fields), **environment, **given}

    ENVIRONMENT: Literal["development", "production"] = "development"
    DEBUG: bool = False
    STAGE: str = "local"
    SECRET_KEY: SecretStr = SecretStr("local-secret-key")
    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    REDIS_TIMEOUT_SECONDS: float = Field(default=0.5, gt=0, le=10)
    # ElastiCache AUTH token (from REDIS_AUTH_SECRET_ARN in AWS); kept out of REDIS_URL and out of logs.
    REDIS_AUTH_TOKEN: SecretStr | None = None
    DEFAULT_TENANT_ID: str = "hotel-sol"

    @model_validator(mode="after")
    def _refuse_dummy_secrets_in_production(self) -> CommonSettings:
        if self.ENVIRONMENT != "production":
            return self
        dummies = sorted(
            name
            for name, value in self
            if isinstance(value, SecretStr)
            and is_dummy_secret(value.get_secret_value())
            and name not in self._secrets_read_elsewhere()
        )
        if dummies:
            raise ValueError(f"production refuses dummy values for secrets: {', '.join(dummies)}")
        return self

    @property
    def is_production(self) -> bool:
        return self.ENVIRONMENT == "production"

    @property
    def redis_url_with_auth(self) -> str:
        """REDIS_URL with the AUTH token as its password, for clients that only take a URL."""
        if self.REDIS_AUTH_TOKEN is None:
            return self.REDIS_URL
        parts = urlsplit(self.REDIS_URL)
        host = parts.netloc.rsplit("@", 1)[-1]
        token = quote(self.REDIS_AUTH_TOKEN.get_secret_value(), safe="")
        return urlunsplit(parts._replace(netloc=f":{token}@{host}"))

    def _secrets_read_elsewhere(self) -> frozenset[str]:
        """Secret fields whose environment value is unused because the secret comes from a store."""
        return frozenset()


class WhatsAppSettings(CommonSettings):
    WHATSAPP_ACCESS_TOKEN: SecretStr = SecretStr("local-access-token")
    WHATSAPP_PHONE_NUMBER_ID: str = "100000000000001"
    WHATSAPP_VERIFY_TOKEN: SecretStr = SecretStr("local-verify-token")
    WHATSAPP_APP_SECRET: SecretStr = SecretStr("local-app-secret")
    WHATSAPP_API_BASE_URL: str = "http://127.0.0.1:8082"
    WHATSAPP_API_VERSION: str = "v25.0"
    WHATSAPP_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=30)


class WebhookSettings(WhatsAppSettings):
    INBOUND_QUEUE_URL: str = ""
    PAYLOAD_BUCKET: str = ""
    # SQS holds 256 KiB per message (moto enforces it); bigger bodies go to S3 (claim check).
    SQS_INLINE_MAX_BYTES: int = Field(default=256 * 1024 - 2048, gt=1024)
    WEBHOOK_MAX_BODY_BYTES: int = 3 * 1024 * 1024
    RATE_LIMIT_GET: str = "60/minute"
    RATE_LIMIT_POST: str = "120/minute"


class NormalizerSettings(CommonSettings):
    MESSAGES_QUEUE_URL: str = ""
    PAYLOAD_BUCKET: str = ""


class TenancySettings(CommonSettings):
    """Tenant store and resolution (hotel_common.tenancy), read by every function that resolves tenants."""

    TENANTS_TABLE: str = "agente-hotel-local-tenants"
    # The original system's `tenancy.dynamic.enabled`: off, every event goes to DEFAULT_TENANT_ID.
    TENANCY_DYNAMIC_ENABLED: bool = True
    # Strict: an event that matches no active tenant is dropped instead of going to the default tenant.
    TENANCY_STRICT: bool = False
    TENANCY_REFRESH_SECONDS: float = Field(default=300.0, gt=0, le=3600)


class TenantAdminSettings(TenancySettings):
    ADMIN_API_TOKEN: SecretStr = SecretStr("local-admin-token")
    # When set (AWS), the bearer token is read from this Secrets Manager secret, not from ADMIN_API_TOKEN.
    ADMIN_API_TOKEN_SECRET_ARN: str = ""
    ADMIN_TOKEN_CACHE_SECONDS: int = Field(default=300, ge=0, le=3600)
    ADMIN_RATE_LIMIT: str = "30/minute"

    def _secrets_read_elsewhere(self) -> frozenset[str]:
        return frozenset({"ADMIN_API_TOKEN"}) if self.ADMIN_API_TOKEN_SECRET_ARN else frozenset()


class OrchestratorSettings(WhatsAppSettings, TenancySettings):
    IDEMPOTENCY_TABLE: str = ""
    IDEMPOTENCY_TTL_SECONDS: int = Field(default=48 * 3600, ge=24 * 3600)
    CONVERSATIONS_TABLE: str = "agente-hotel-local-conversations"
    CONVERSATION_TTL_SECONDS: int = Field(default=30 * 24 * 3600, ge=3600)
    CONVERSATION_CACHE_SECONDS: int = Field(default=900, ge=0, le=24 * 3600)
    # Physical name or ARN; empty means agente-hotel-<STAGE>-pms_proxy.
    PMS_PROXY_FUNCTION: str = ""
    PMS_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0, le=60)
    # pms_proxy's own timeout (75 s in the topology) plus its invoke overhead.
    PMS_BOOKING_TIMEOUT_SECONDS: float = Field(default=77.0, gt=0, le=120)
    HANDOFF_PAUSE_SECONDS: int = Field(default=4 * 3600, ge=60)
    # Approved template sent when the 24-hour customer-service window is closed (one body parameter: hotel).
    WHATSAPP_REENGAGEMENT_TEMPLATE: str = "hotel_reengagement"
    # A speech-to-text provider for voice notes; empty: guests are asked to write.
    SPEECH_PROVIDER: str = ""
    SMTP_HOST: str = ""
    SMTP_PORT: int = Field(default=587, ge=1, le=65535)
    SMTP_USER: str = ""
    SMTP_PASSWORD: SecretStr = SecretStr("")
    SMTP_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=30)
    GMAIL_USERNAME: str = ""
    GMAIL_APP_PASSWORD: SecretStr = SecretStr("")
    ALERT_EMAIL_FROM: str = "agente-hotel@localhost"

    @property
    def pms_proxy_function(self) -> str:
        return self.PMS_PROXY_FUNCTION or f"agente-hotel-{self.STAGE}-pms_proxy"

    def _secrets_read_elsewhere(self) -> frozenset[str]:
        # Mail credentials are optional: empty means "not configured", not a dummy.
        return frozenset(
            name for name in ("SMTP_PASSWORD", "GMAIL_APP_PASSWORD") if not getattr(self, name).get_secret_value()
        )


class MetricsExporterSettings(CommonSettings):
    """functions/metrics_exporter. With AMP_REMOTE_WRITE_URL set the pushes are SigV4-signed for AMP;
    otherwise they go unsigned to PROMETHEUS_REMOTE_WRITE_URL (the local Prometheus); neither set: no push."""

    PROMETHEUS_REMOTE_WRITE_URL: str = ""
    AMP_REMOTE_WRITE_URL: str = ""
    # Region of the AMP workspace; empty: taken from the URL host (aps-workspaces.<region>.amazonaws.com).
    AMP_REGION: str = ""
    METRICS_JOB: str = "agente-hotel"
    # The desired push period, set by the deployer for scheduled functions. EventBridge fires at most once a
    # minute, so a scheduled invocation pushes 60 / SCHEDULE_EVERY_SECONDS times, this far apart. Unset
    # (the local stack, which invokes on the period itself): one push per invocation.
    SCHEDULE_EVERY_SECONDS: int | None = Field(default=None, ge=1)
    REMOTE_WRITE_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=30)
    REMOTE_WRITE_MAX_ATTEMPTS: int = Field(default=3, ge=1, le=10)
    REMOTE_WRITE_MAX_SAMPLES_PER_REQUEST: int = Field(default=2000, ge=10)


class HealthSettings(TenantAdminSettings):
    """functions/health: readiness checks and GET /metrics (admin bearer token required in production)."""

    IDEMPOTENCY_TABLE: str = ""
    INBOUND_QUEUE_URL: str = ""
    QLOAPPS_BASE_URL: str = "http://127.0.0.1:8081"
    READINESS_CHECK_TIMEOUT_SECONDS: float = Field(default=1.5, gt=0, le=10)
    # Bound of the whole readiness check (the checks run concurrently).
    READINESS_TOTAL_TIMEOUT_SECONDS: float = Field(default=2.5, gt=0, le=20)


class PmsSettings(TenancySettings):
    """The PMS proxy: per-tenant QloApps credentials, timeouts, retries, breaker, cache, booking safety.

    A booking may take 40 s on a real QloApps (confirmation e-mails are sent synchronously), so bookings get
    a long timeout and reads a short one; the pms_proxy Lambda timeout (infra/topology.py) exceeds the
    booking timeout plus the look-up that follows an uncertain create.
    """

    # Tenants' webservice keys live under this Secrets Manager prefix (the deployer sets it, and IAM grants
    # only it); a tenant record naming a secret outside it is refused. Empty: no check (local stack).
    PMS_SECRET_PREFIX: str = ""
    PMS_SECRET_MAX_AGE_SECONDS: int = Field(default=300, ge=0, le=3600)
    PMS_READ_TIMEOUT_SECONDS: float = Field(default=4.0, gt=0, le=30)
    PMS_BOOKING_TIMEOUT_SECONDS: float = Field(default=45.0, gt=0, le=120)
    PMS_RETRY_ATTEMPTS: int = Field(default=3, ge=1, le=10)
    PMS_RETRY_BASE_DELAY_SECONDS: float = Field(default=0.1, ge=0, le=5)
    PMS_RETRY_MAX_DELAY_SECONDS: float = Field(default=1.0, ge=0, le=10)
    PMS_RETRY_DEADLINE_SECONDS: float = Field(default=8.0, gt=0, le=60)
    PMS_BREAKER_FAILURE_THRESHOLD: int = Field(default=5, ge=1, le=100)
    PMS_BREAKER_COOLDOWN_SECONDS: float = Field(default=30.0, gt=0, le=3600)
    # How long the one half-open trial call may hold the trial before another caller may take it (its
    # holder may have died); longer than any single PMS call.
    PMS_BREAKER_TRIAL_TIMEOUT_SECONDS: float = Field(default=60.0, gt=0, le=600)
    PMS_CACHE_AVAILABILITY_TTL_SECONDS: int = Field(default=60, ge=1, le=3600)
    PMS_CACHE_ROOM_TYPES_TTL_SECONDS: int = Field(default=3600, ge=1, le=86400)
    # How long an expired answer is kept to be served, marked stale_cache, while the PMS fails.
    PMS_CACHE_STALE_TTL_SECONDS: int = Field(default=6 * 3600, ge=1, le=7 * 86400)
    PMS_BOOKING_LOCK_WAIT_SECONDS: float = Field(default=10.0, ge=0, le=60)
    PMS_IDEMPOTENCY_TTL_SECONDS: int = Field(default=48 * 3600, ge=3600)
    PMS_FIND_SCAN: int = Field(default=20, ge=1, le=200)

    @model_validator(mode="after")
    def _coherent_timeouts(self) -> PmsSettings:
        if self.PMS_BOOKING_TIMEOUT_SECONDS < self.PMS_READ_TIMEOUT_SECONDS:
            raise ValueError("PMS_BOOKING_TIMEOUT_SECONDS must not be below PMS_READ_TIMEOUT_SECONDS")
        if self.PMS_BREAKER_TRIAL_TIMEOUT_SECONDS < self.PMS_BOOKING_TIMEOUT_SECONDS:
            raise ValueError("PMS_BREAKER_TRIAL_TIMEOUT_SECONDS must cover a booking call")
        return self


class PmsProxySettings(PmsSettings):
    """The pms_proxy function's settings (the CDK app finds a function's model by this name)."""


S = TypeVar("S", bound=CommonSettings)


@cache
def load(settings_class: type[S]) -> S:
    """One validated settings object per class and container (Lambda reuses it across invocations)."""
    return settings_class()
