"""The topology's queues with their dead-letter queues, the DLQ depth alarms, and the SQS event source
mappings (wired once the functions exist)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import topology
from infra.cdk.config import StageConfig, cid


class Messaging(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, alarm_topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.queues: dict[str, sqs.Queue] = {}
        self.dlqs: dict[str, sqs.Queue] = {}
        for spec in topology.QUEUES:
            dlq = sqs.Queue(
                self,
                f"{cid(spec.name)}Dlq",
                queue_name=topology.queue_physical_name(config.stage, spec, dlq=True),
                fifo=spec.fifo or None,
                retention_period=Duration.seconds(spec.dlq_retention_seconds),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                removal_policy=config.removal_policy,
            )
            self.queues[spec.name] = sqs.Queue(
                self,
                f"{cid(spec.name)}Queue",
                queue_name=topology.queue_physical_name(config.stage, spec),
                fifo=spec.fifo or None,
                content_based_deduplication=spec.content_based_deduplication if spec.fifo else None,
                visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
                retention_period=Duration.seconds(spec.retention_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=spec.max_receive_count, queue=dlq),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                removal_policy=config.removal_policy,
            )
            self.dlqs[spec.name] = dlq
            # Anything in a DLQ is a guest message that got no answer: alarm on the first one.
            alarm = cloudwatch.Alarm(
                self,
                f"{cid(spec.name)}DlqDepth",
                alarm_name=config.name(f"{spec.dlq_name}-depth"),
                alarm_description=f"Messages dead-lettered from {spec.name}; inspect and redrive them.",
                metric=dlq.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(actions.SnsAction(alarm_topic))
            alarm.add_ok_action(actions.SnsAction(alarm_topic))

    def connect(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """The event source mappings; they also grant the consumer its receive/delete permissions."""
        for source in topology.EVENT_SOURCES:
            functions[source.function].add_event_source(
                sources.SqsEventSource(
                    self.queues[source.queue],
                    batch_size=source.batch_size,
                    max_batching_window=(
                        Duration.seconds(source.max_batching_window_seconds)
                        if source.max_batching_window_seconds
                        else None
                    ),
                    report_batch_item_failures=source.report_batch_item_failures,
                    max_concurrency=source.max_concurrency,
                )
            )
