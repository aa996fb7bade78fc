"""The VPC of the functions that use Redis: private subnets for them, isolated ones for Redis, and VPC
endpoints so that SQS, DynamoDB, S3, Secrets Manager, Lambda and AMP calls do not go through the NAT.
The NAT remains for what has no endpoint: Meta's Graph API and the hotels' QloApps."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.cdk import nag
from infra.cdk.config import StageConfig

FUNCTION_SUBNETS = "functions"
DATA_SUBNETS = "data"

INTERFACE_ENDPOINTS = {
    "Sqs": ec2.InterfaceVpcEndpointAwsService.SQS,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "Lambda": ec2.InterfaceVpcEndpointAwsService.LAMBDA_,
    "Prometheus": ec2.InterfaceVpcEndpointAwsService.PROMETHEUS_WORKSPACES,
}


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            vpc_name=config.name("vpc"),
            max_azs=config.max_azs,
            nat_gateways=config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name=FUNCTION_SUBNETS, subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
                ),
                ec2.SubnetConfiguration(name=DATA_SUBNETS, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
            flow_logs={
                "all": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )
        self.function_subnets = ec2.SubnetSelection(subnet_group_name=FUNCTION_SUBNETS)
        self.data_subnets = ec2.SubnetSelection(subnet_group_name=DATA_SUBNETS)
        self.functions_security_group = ec2.SecurityGroup(
            self,
            "FunctionsSecurityGroup",
            vpc=self.vpc,
            description="Lambda functions that use Redis (outbound to Redis, endpoints, Graph API, QloApps)",
            allow_all_outbound=True,
        )
        # Gateway endpoints are free and cover DynamoDB (tenants, idempotency) and S3 (claim checks).
        self.vpc.add_gateway_endpoint("DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        for name, service in INTERFACE_ENDPOINTS.items():
            endpoint = self.vpc.add_interface_endpoint(
                name, service=service, subnets=self.function_subnets, private_dns_enabled=True
            )
            nag.suppress(
                endpoint,
                "EC23",
                "CDK's endpoint security group admits HTTPS from this VPC's CIDR only (a GetAtt cdk-nag cannot "
                "resolve), not 0.0.0.0/0.",
            )
