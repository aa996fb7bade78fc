"""The stage's alarm topic: CloudWatch alarms (DLQ depth) and AMP's alert manager both publish here;
subscriptions (e-mail, AWS Chatbot for Slack) fan out from it."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.cdk.config import StageConfig

# Services that publish alarms; an encrypted topic needs them allowed on its key as well.
PUBLISHERS = ("cloudwatch.amazonaws.com", "aps.amazonaws.com")


class AlarmTopic(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        # A customer managed key: the AWS managed SNS key cannot grant CloudWatch or AMP the right to use it.
        self.key = kms.Key(
            self,
            "Key",
            description=f"{config.stack_name} alarm topic",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        self.topic = sns.Topic(self, "Topic", topic_name=config.name("alarms"), master_key=self.key, enforce_ssl=True)
        for service in PUBLISHERS:
            principal = iam.ServicePrincipal(service)
            self.key.grant(principal, "kms:Decrypt", "kms:GenerateDataKey*")
            self.topic.add_to_resource_policy(
                iam.PolicyStatement(
                    actions=["sns:Publish"],
                    principals=[principal],
                    resources=[self.topic.topic_arn],
                    conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
                )
            )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
