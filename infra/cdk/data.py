"""Tables, buckets and secrets of the topology and the stage."""

from __future__ import annotations

import json

from aws_cdk import Aws, Duration, SecretValue
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import topology
from infra.cdk import nag
from infra.cdk.config import SECRETS, SecretSpec, StageConfig, cid


def _key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.tables = {t.name: self._table(t) for t in topology.TABLES}
        self.access_logs = self._access_log_bucket() if topology.BUCKETS else None
        self.buckets = {b.name: self._bucket(b) for b in topology.BUCKETS}
        self.secrets: dict[str, secretsmanager.Secret] = {}
        for spec in SECRETS:
            if spec.per_tenant:
                for tenant in config.seed_tenants:
                    self._secret(spec, f"{spec.logical}/{tenant}")
            else:
                self.secrets[spec.logical] = self._secret(spec, spec.logical)

    def _table(self, table: topology.Table) -> dynamodb.TableV2:
        return dynamodb.TableV2(
            self,
            f"{cid(table.name)}Table",
            table_name=self.config.name(table.name),
            partition_key=_key(table.partition_key),
            sort_key=_key(table.sort_key) if table.sort_key else None,
            time_to_live_attribute=table.ttl_attribute,
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=self.config.deletion_protection,
            removal_policy=self.config.removal_policy,
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=index.name,
                    partition_key=_key(index.partition_key),
                    sort_key=_key(index.sort_key) if index.sort_key else None,
                )
                for index in table.indexes
            ],
        )

    def _access_log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            bucket_name=self._bucket_name("access-logs"),
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=self.config.removal_policy,
        )
        nag.suppress(bucket, "S1", "This is the server access log bucket; logging it into itself would loop.")
        return bucket

    def _bucket(self, bucket: topology.Bucket) -> s3.Bucket:
        return s3.Bucket(
            self,
            f"{cid(bucket.name)}Bucket",
            bucket_name=self._bucket_name(bucket.name),
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{bucket.name}/",
            lifecycle_rules=(
                [s3.LifecycleRule(expiration=Duration.days(bucket.expire_after_days))]
                if bucket.expire_after_days
                else None
            ),
            removal_policy=self.config.removal_policy,
        )

    def _bucket_name(self, logical: str) -> str:
        # Bucket names are global: the topology's name plus account and region keeps stages of different
        # accounts apart. Functions get the name through their environment, never by convention.
        return f"{self.config.name(logical)}-{Aws.ACCOUNT_ID}-{Aws.REGION}"

    def _secret(self, spec: SecretSpec, logical: str) -> secretsmanager.Secret:
        # JSON keys named like the settings they feed. Tokens we own are generated; the rest stay empty until
        # an operator pastes them (production refuses an empty secret at start, so a gap cannot go unseen).
        keys = sorted(spec.holds - {spec.env, spec.generated_key})
        generator = (
            secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(dict.fromkeys(keys, "")),
                generate_string_key=spec.generated_key,
                exclude_punctuation=True,
                password_length=48,
            )
            if spec.generated_key
            else None
        )
        secret = secretsmanager.Secret(
            self,
            f"{cid(logical)}Secret",
            secret_name=self.config.secret_name(logical),
            description=f"{self.config.stack_name}: {spec.description}",
            generate_secret_string=generator,
            secret_object_value=None if generator else {key: SecretValue.unsafe_plain_text("") for key in keys},
            removal_policy=self.config.removal_policy,
        )
        nag.suppress(
            secret,
            "SMG4",
            "Rotated by operators: WhatsApp and QloApps keys are issued by Meta and the hotel, and rotating the "
            "admin token or SECRET_KEY needs a coordinated client change; no rotation Lambda can do it alone.",
        )
        return secret

    def tenant_secret_arn_pattern(self, spec: SecretSpec) -> str:
        """Every secret of a per-tenant family, including the ones created later for new tenants. Built from
        pseudo parameters (not `format_arn`), so the ARN reads the same whether or not the stack's
        account/region are known at synth, and so does the cdk-nag finding that acknowledges it."""
        prefix = self.config.secret_name(spec.logical)
        return f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:{prefix}/*"


def nag_arn(arn: str) -> str:
    """An ARN built from pseudo parameters, as cdk-nag prints it in a finding."""
    for token, name in (
        (Aws.PARTITION, "AWS::Partition"),
        (Aws.REGION, "AWS::Region"),
        (Aws.ACCOUNT_ID, "AWS::AccountId"),
    ):
        arn = arn.replace(token, f"<{name}>")
    return arn
