"""Stage configuration: every name and size that differs between dev, staging and prod lives here.

The topology says *what* exists (functions, routes, queues, tables); this module says *how big and how
protected* it is per stage. Context keys (`cdk synth -c key=value`) can override a few switches without
editing code: `stage`, `bundle`, `grafana`, `alarm_email`, `admin_auth`, and `live_versions` (the
versions the `live` aliases stay on during a canary deploy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

from infra import topology

AdminAuth = Literal["function", "iam"]


@dataclass(frozen=True)
class StageConfig:
    stage: str
    # development lets functions start with local dummy secrets; production refuses them. Staging runs as
    # production so a missing secret is found there and not in prod.
    environment: Literal["development", "production"]
    log_level: str
    log_retention: logs.RetentionDays
    # prod keeps data when the stack or a resource is deleted; dev/staging clean up after themselves.
    retain_data: bool
    deletion_protection: bool
    # Network: NAT gateways for the functions' outbound calls (Graph API, QloApps); AWS APIs go through
    # VPC endpoints instead.
    max_azs: int
    nat_gateways: int
    # Redis (ElastiCache replication group, TLS + AUTH).
    redis_node_type: str
    redis_replicas: int
    redis_snapshot_retention_days: int
    # HTTP API: the topology's per-route limits times this factor; routes without limits get the default.
    throttle_scale: float = 1.0
    default_rate_per_second: float = 50.0
    default_burst: int = 100
    # Admin routes always check the bearer token in the function; "iam" adds an IAM authorizer in front.
    admin_auth: AdminAuth = "function"
    grafana: bool = False
    alarm_email: str | None = None
    # Tenants whose per-tenant PMS key secret the stack creates (more are added by tenant_admin at runtime).
    seed_tenants: tuple[str, ...] = ()
    # SnapStart on published versions. Off in dev: for Python, Lambda bills each published version's cached
    # snapshot and every restore, and dev publishes a version on almost every deploy.
    snap_start: bool = False

    @property
    def removal_policy(self) -> RemovalPolicy:
        return RemovalPolicy.RETAIN if self.retain_data else RemovalPolicy.DESTROY

    @property
    def stack_name(self) -> str:
        return f"{topology.APP}-{self.stage}"

    def name(self, logical: str, *, fifo: bool = False) -> str:
        return topology.physical_name(self.stage, logical, fifo=fifo)

    def secret_name(self, logical: str) -> str:
        """Secrets Manager names are paths, so IAM can grant a whole family (e.g. every tenant's PMS key)."""
        return f"{topology.APP}/{self.stage}/{logical}"


STAGES: Mapping[str, StageConfig] = {
    "dev": StageConfig(
        stage="dev",
        environment="development",
        log_level="DEBUG",
        log_retention=logs.RetentionDays.TWO_WEEKS,
        retain_data=False,
        deletion_protection=False,
        max_azs=2,
        nat_gateways=1,
        redis_node_type="cache.t4g.micro",
        redis_replicas=0,
        redis_snapshot_retention_days=1,
        seed_tenants=("hotel-sol",),
    ),
    "staging": StageConfig(
        stage="staging",
        environment="production",
        log_level="INFO",
        log_retention=logs.RetentionDays.ONE_MONTH,
        retain_data=False,
        deletion_protection=False,
        max_azs=2,
        nat_gateways=1,
        redis_node_type="cache.t4g.small",
        redis_replicas=1,
        redis_snapshot_retention_days=3,
        seed_tenants=("hotel-sol",),
        snap_start=True,
    ),
    "prod": StageConfig(
        stage="prod",
        environment="production",
        log_level="INFO",
        log_retention=logs.RetentionDays.ONE_YEAR,
        retain_data=True,
        deletion_protection=True,
        max_azs=3,
        nat_gateways=2,
        redis_node_type="cache.m7g.large",
        redis_replicas=2,
        redis_snapshot_retention_days=14,
        snap_start=True,
    ),
}


@dataclass(frozen=True)
class SecretSpec:
    """A Secrets Manager secret and who may read it.

    A function is granted read when its settings model (hotel_common.config, `<Name>Settings`) declares
    `env` or one of `holds`: the settings say what the function reads, so the grant follows the code.
    """

    logical: str
    env: str
    holds: frozenset[str]
    description: str
    generated_key: str | None = None  # generate a random value under this JSON key (tokens we own)
    per_tenant: bool = False  # a family of secrets under `<app>/<stage>/<logical>/<tenant>`


SECRETS: tuple[SecretSpec, ...] = (
    SecretSpec(
        "whatsapp",
        env="WHATSAPP_SECRET_ARN",
        holds=frozenset({"WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"}),
        description="WhatsApp Cloud API credentials; paste the access token and app secret from Meta",
        generated_key="WHATSAPP_VERIFY_TOKEN",  # we choose it and paste it into Meta's webhook settings
    ),
    SecretSpec(
        "admin-api-token",
        env="ADMIN_API_TOKEN_SECRET_ARN",
        holds=frozenset({"ADMIN_API_TOKEN"}),
        description="Bearer token of the /admin routes",
        generated_key="ADMIN_API_TOKEN",
    ),
    SecretSpec(
        "secret-key",
        env="SECRET_KEY_SECRET_ARN",
        holds=frozenset({"SECRET_KEY"}),
        description="Application SECRET_KEY",
        generated_key="SECRET_KEY",
    ),
    SecretSpec(
        "pms",
        env="PMS_SECRET_PREFIX",
        holds=frozenset({"PMS_SECRET_PREFIX", "QLOAPPS_API_KEY"}),
        description="QloApps webservice key of one tenant (tenants.pms.secret_name points here)",
        per_tenant=True,
    ),
)

_TRUE = {"1", "true", "yes", "on"}


def stage_config(context: Callable[[str], object]) -> StageConfig:
    """The stage named by `-c stage=…` (default dev), with context overrides applied."""
    stage = str(context("stage") or "dev")
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
    config = STAGES[stage]
    if (grafana := context("grafana")) is not None:
        config = replace(config, grafana=str(grafana).lower() in _TRUE)
    if alarm_email := context("alarm_email"):
        config = replace(config, alarm_email=str(alarm_email))
    if admin_auth := context("admin_auth"):
        if admin_auth not in ("function", "iam"):
            raise ValueError(f"admin_auth={admin_auth!r}: choose function or iam")
        config = replace(config, admin_auth=admin_auth)  # type: ignore[arg-type]
    return config


def bundle_enabled(context: Callable[[str], object]) -> bool:
    """`-c bundle=false` builds the layer from layers/common only (tests): no pip, no download."""
    value = context("bundle")
    return value is None or str(value).lower() in _TRUE


def live_versions(context: Callable[[str], object]) -> dict[str, str]:
    """`-c live_versions={"webhook": "7", …}`: the published version each function's `live` alias stays on.

    A deploy still publishes the new versions, but callers keep the pinned ones until the canary shifts and
    promotes (`make deploy CANARY=1` passes the aliases' current primaries). Functions left out follow the
    version the deploy publishes.
    """
    raw = context("live_versions")
    if raw is None or raw == "":
        return {}
    try:
        pins = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise ValueError(f"live_versions is not JSON: {exc}") from None
    if not isinstance(pins, dict):
        raise ValueError('live_versions must be a JSON object such as {"webhook": "7"}')
    known = {f.name for f in topology.FUNCTIONS}
    if unknown := sorted(set(pins) - known):
        raise ValueError(f"live_versions names functions the topology does not declare: {', '.join(unknown)}")
    versions = {name: str(version) for name, version in pins.items()}
    for name, version in versions.items():
        if not version.isdigit() or int(version) < 1:
            raise ValueError(f"live_versions[{name!r}]={version!r}: a published version number (1, 2, …)")
    return versions


def cid(name: str) -> str:
    """A construct id from a logical name (pms_proxy -> PmsProxy, hotel-sol -> HotelSol)."""
    return "".join(part.capitalize() for part in name.replace("-", "_").replace("/", "_").split("_"))
