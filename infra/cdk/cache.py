"""Redis on ElastiCache: a replication group with TLS, AUTH and encryption at rest, in the isolated subnets,
reachable only from the functions' security group."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.cdk import nag
from infra.cdk.config import StageConfig
from infra.cdk.network import Network

# Not the default 6379: one more thing a scan of the VPC has to guess.
REDIS_PORT = 6380
AUTH_KEY = "REDIS_AUTH_TOKEN"


class Cache(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, network: Network) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description="Redis: only the functions reach it",
            allow_all_outbound=False,
        )
        self.security_group.add_ingress_rule(
            network.functions_security_group, ec2.Port.tcp(REDIS_PORT), "functions to Redis (TLS)"
        )
        subnets = elasticache.CfnSubnetGroup(
            self,
            "Subnets",
            description=f"{config.stack_name} Redis",
            cache_subnet_group_name=config.name("redis"),
            subnet_ids=network.vpc.select_subnets(subnet_group_name=network.data_subnets.subnet_group_name).subnet_ids,
        )
        # AUTH token rules: 16-128 printable characters without / " @ (alphanumerics satisfy them).
        self.auth_secret = secretsmanager.Secret(
            self,
            "AuthToken",
            secret_name=config.secret_name("redis-auth"),
            description=f"{config.stack_name}: Redis AUTH token",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - an empty JSON template, not a password
                generate_string_key=AUTH_KEY,
                exclude_punctuation=True,
                password_length=64,
            ),
            removal_policy=config.removal_policy,
        )
        nag.suppress(
            self.auth_secret,
            "SMG4",
            "Rotating a Redis AUTH token is a two-step ModifyReplicationGroup (ROTATE then SET) coordinated with "
            "every client; it is an operator runbook, not a rotation Lambda.",
        )
        replicated = config.redis_replicas > 0
        self.replication_group = elasticache.CfnReplicationGroup(
            self,
            "Redis",
            replication_group_id=config.name("redis"),
            replication_group_description=f"{config.stack_name}: circuit breaker, cache, locks, rate limits",
            engine="redis",
            engine_version="7.1",
            cache_node_type=config.redis_node_type,
            num_cache_clusters=1 + config.redis_replicas,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            port=REDIS_PORT,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            auth_token=self.auth_secret.secret_value_from_json(AUTH_KEY).unsafe_unwrap(),
            cache_subnet_group_name=subnets.ref,
            security_group_ids=[self.security_group.security_group_id],
            snapshot_retention_limit=config.redis_snapshot_retention_days,
            auto_minor_version_upgrade=True,
        )
        self.replication_group.apply_removal_policy(
            RemovalPolicy.SNAPSHOT if config.retain_data else RemovalPolicy.DESTROY
        )
        if not replicated:
            nag.suppress(
                self.replication_group,
                "AEC4",
                f"{config.stage} runs one node to save cost; losing it loses only caches and breaker state. "
                "Stages with replicas (staging, prod) are Multi-AZ.",
            )

    @property
    def url(self) -> str:
        """REDIS_URL without the password: TLS (rediss://); the token is read from the AUTH secret."""
        endpoint = self.replication_group
        return f"rediss://{endpoint.attr_primary_end_point_address}:{endpoint.attr_primary_end_point_port}/0"
