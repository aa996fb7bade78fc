"""One Lambda function per function of the topology, each with its own role, log group and environment,
all sharing the `hotel_common` layer and one code asset (the `functions/` package).

Every function publishes a version on each deploy that changes it and has an alias `live`; every caller
(API routes, event source mappings, schedules, Lambda invokes) goes through the alias, never $LATEST, so
the canary tooling (scripts/ops/canary.py) can split the alias's traffic between two published versions.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import topology
from infra.cdk import bundling, nag
from infra.cdk.cache import Cache
from infra.cdk.config import SECRETS, StageConfig, cid
from infra.cdk.data import Data, nag_arn
from infra.cdk.messaging import Messaging
from infra.cdk.network import Network

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
# Environment variables the deployer sets for every function (the topology's own environment may add more).
SCHEDULE_ENV = "SCHEDULE_EVERY_SECONDS"
# The setting through which a function learns the AMP workspace (SigV4-signed remote write).
AMP_REMOTE_WRITE_SETTING = "AMP_REMOTE_WRITE_URL"
# The alias every caller invokes; scripts/ops/canary.py shifts its weights (CANARY_ALIAS defaults to it).
LIVE_ALIAS = "live"


def invoke_setting(target: str) -> str:
    """The setting naming the alias a caller invokes (pms_proxy -> PMS_PROXY_FUNCTION, as hotel_common reads)."""
    return f"{target.upper()}_FUNCTION"


@dataclass(frozen=True)
class RemoteWrite:
    url: str
    workspace_arn: str


def settings_fields(name: str) -> frozenset[str] | None:
    """The settings a function reads, from its pydantic model `<Name>Settings` (hotel_common.config or
    functions/<name>/settings.py); None when it has none. Secret and AMP grants follow these fields."""
    class_name = f"{cid(name)}Settings"
    for module_name in ("hotel_common.config", f"functions.{name}.settings"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        settings = getattr(module, class_name, None)
        if settings is not None:
            return frozenset(settings.model_fields)
    return None


def schedule_periods() -> dict[str, int]:
    """Desired period per scheduled function (the shortest when it has several schedules)."""
    periods: dict[str, int] = {}
    for schedule in topology.SCHEDULES:
        periods[schedule.function] = min(schedule.every_seconds, periods.get(schedule.function, schedule.every_seconds))
    return periods


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        bundle: bool,
        data: Data,
        messaging: Messaging,
        network: Network | None,
        cache: Cache | None,
        remote_write: RemoteWrite | None,
        live_versions: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.live_versions = dict(live_versions or {})
        self.data = data
        self.messaging = messaging
        self.network = network
        self.cache = cache
        self.remote_write = remote_write
        self.layer = lambda_.LayerVersion(
            self,
            "CommonLayer",
            layer_version_name=config.name("hotel-common"),
            description="hotel_common and its runtime dependencies (linux/arm64, CPython 3.12)",
            code=lambda_.Code.from_asset(str(bundling.layer_asset(bundle=bundle))),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )
        if not bundle:
            Annotations.of(self.layer).add_warning_v2(
                "agente-hotel:layer-unbundled", "bundle=false: the layer has no dependencies; do not deploy"
            )
        self.code = lambda_.Code.from_asset(str(bundling.code_asset(compiled=bundle)))
        self.periods = schedule_periods()
        self.functions: dict[str, lambda_.Function] = {f.name: self._function(f) for f in topology.FUNCTIONS}
        self.aliases: dict[str, lambda_.Alias] = {f.name: self._alias(f) for f in topology.FUNCTIONS}
        for spec in topology.FUNCTIONS:
            for target in spec.invokes:
                # The caller invokes the target's `live` alias (a qualified ARN) and may invoke nothing else:
                # neither $LATEST nor other versions (no `:*`).
                alias = self.aliases[target]
                self.functions[spec.name].add_environment(invoke_setting(target), alias.function_arn)
                self.functions[spec.name].add_to_role_policy(
                    iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[alias.function_arn])
                )

    def _alias(self, spec: topology.Function) -> lambda_.Alias:
        """`live` on the version this deploy publishes, or on the pinned one (`-c live_versions=…`): the
        deploy then only publishes, and the canary moves the traffic. The alias stays one CloudFormation
        resource either way, so switching between the two updates it in place."""
        function = self.functions[spec.name]
        published = function.current_version  # always created: the deploy publishes what it carries
        pinned = self.live_versions.get(spec.name)
        version = (
            lambda_.Version.from_version_attributes(self, f"{cid(spec.name)}Pinned", lambda_=function, version=pinned)
            if pinned
            else published
        )
        return lambda_.Alias(
            self,
            f"{cid(spec.name)}Live",
            alias_name=LIVE_ALIAS,
            version=version,
            description=f"{self.config.name(spec.name)}: what callers invoke; a canary splits it between versions",
        )

    def _function(self, spec: topology.Function) -> lambda_.Function:
        config = self.config
        name = config.name(spec.name)
        log_group = logs.LogGroup(
            self,
            f"{cid(spec.name)}Logs",
            log_group_name=f"/aws/lambda/{name}",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        role = iam.Role(
            self,
            f"{cid(spec.name)}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: least privilege, built from the topology",
        )
        log_group.grant_write(role)
        in_vpc = spec.uses_redis and self.network is not None
        function = lambda_.Function(
            self,
            cid(spec.name),
            function_name=name,
            description=spec.description,
            code=self.code,
            handler=spec.handler,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            reserved_concurrent_executions=spec.reserved_concurrency,
            layers=[self.layer],
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel[config.log_level],
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE,
            vpc=self.network.vpc if in_vpc and self.network else None,
            vpc_subnets=self.network.function_subnets if in_vpc and self.network else None,
            security_groups=[self.network.functions_security_group] if in_vpc and self.network else None,
            environment=self._environment(spec, role),
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if config.snap_start else None,
            # Old versions stay: the alias (pinned, or during a canary) may still route to them, and Lambda
            # refuses to delete a version an alias points at.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.RETAIN),
        )
        if config.snap_start:
            Annotations.of(function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Every function publishes a version (current_version) and callers invoke its `live` alias.",
            )
        if in_vpc:
            # What AWSLambdaVPCAccessExecutionRole grants, inline: a given role gets no managed policy from CDK.
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=[
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeSubnets",
                        "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    resources=["*"],
                )
            )
        self._acknowledge_wildcards(spec, role)
        nag.suppress(
            function,
            "L1",
            "Python 3.12 on purpose: the layer's wheels are built for cp312 and the code is tested on it; "
            "moving to a newer runtime is a deliberate, tested change.",
        )
        return function

    def _acknowledge_wildcards(self, spec: topology.Function, role: iam.Role) -> None:
        nag.suppress(
            role,
            "IAM5",
            "X-Ray PutTraceSegments/PutTelemetryRecords and the Lambda VPC ENI actions support no resource-level "
            "permissions (AWS documents Resource '*' for them).",
            findings=["Resource::*"],
        )
        objects = [f"Resource::<{nag.logical_id(self.data.buckets[b])}.Arn>/*" for b in set(spec.bucket_names.values())]
        if objects:
            nag.suppress(
                role,
                "IAM5",
                "Object keys are per message (claim checks), so object actions name the bucket's objects; only "
                "GetObject/PutObject, only on this function's buckets.",
                findings=objects,
            )
        indexes = [
            f"Resource::<{nag.logical_id(self.data.tables[t])}.Arn>/index/*"
            for t in set(spec.table_names.values())
            if topology.table(t).indexes
        ]
        if indexes:
            nag.suppress(
                role,
                "IAM5",
                "Queries on the table's own global secondary indexes (declared in the topology); `/index/*` is how "
                "IAM names them.",
                findings=indexes,
            )

    def _environment(self, spec: topology.Function, role: iam.IRole) -> dict[str, str]:
        config = self.config
        env: dict[str, str] = {
            **spec.environment,
            "STAGE": config.stage,
            "ENVIRONMENT": config.environment,
            "POWERTOOLS_LOG_LEVEL": config.log_level,
        }
        for var, queue in spec.queue_urls.items():
            env[var] = self.messaging.queues[queue].queue_url
            self.messaging.queues[queue].grant_send_messages(role)
        for var, table in spec.table_names.items():
            env[var] = self.data.tables[table].table_name
            self.data.tables[table].grant_read_write_data(role)
        for var, bucket_name in spec.bucket_names.items():
            bucket = self.data.buckets[bucket_name]
            env[var] = bucket.bucket_name
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=[bucket.arn_for_objects("*")])
            )
        if spec.uses_redis and self.cache is not None:
            env["REDIS_URL"] = self.cache.url
            env["REDIS_AUTH_SECRET_ARN"] = self.cache.auth_secret.secret_arn
            self.cache.auth_secret.grant_read(role)
        if spec.name in self.periods:
            env[SCHEDULE_ENV] = str(self.periods[spec.name])
        fields = settings_fields(spec.name)
        if fields is None:
            Annotations.of(self).add_warning_v2(
                f"agente-hotel:no-settings-{spec.name}",
                f"{spec.name}: no {cid(spec.name)}Settings model found; it is granted no secret",
            )
            fields = frozenset()
        for secret_spec in SECRETS:
            if not fields & (secret_spec.holds | {secret_spec.env}):
                continue
            if secret_spec.per_tenant:
                env[secret_spec.env] = f"{config.secret_name(secret_spec.logical)}/"
                pattern = self.data.tenant_secret_arn_pattern(secret_spec)
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                        resources=[pattern],
                    )
                )
                nag.suppress(
                    role,
                    "IAM5",
                    "One secret per tenant under this stage's prefix; tenants are added at runtime, so the grant "
                    "names the prefix (read only, this stage only).",
                    findings=[f"Resource::{nag_arn(pattern)}"],
                )
            else:
                secret = self.data.secrets[secret_spec.logical]
                env[secret_spec.env] = secret.secret_arn
                secret.grant_read(role)
        if AMP_REMOTE_WRITE_SETTING in fields and self.remote_write is not None:
            env[AMP_REMOTE_WRITE_SETTING] = self.remote_write.url
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["aps:RemoteWrite"], resources=[self.remote_write.workspace_arn])
            )
        return env
