"""EventBridge schedules of the topology. EventBridge's finest rate is one minute: a sub-minute schedule
fires every minute and the function, told the desired period in SCHEDULE_EVERY_SECONDS, repeats its work
within the invocation."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import topology
from infra.cdk.config import StageConfig, cid


def rate_minutes(every_seconds: int) -> int:
    return max(1, every_seconds // 60)


class Schedules(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, functions: Mapping[str, lambda_.IFunction]
    ) -> None:
        super().__init__(scope, construct_id)
        self.rules = {
            spec.name: events.Rule(
                self,
                f"{cid(spec.name)}Schedule",
                rule_name=config.name(spec.name),
                description=f"{spec.function} every {spec.every_seconds}s",
                schedule=events.Schedule.rate(Duration.minutes(rate_minutes(spec.every_seconds))),
                # A missed tick is superseded by the next one; retrying it would only double the work.
                targets=[
                    targets.LambdaFunction(
                        functions[spec.function], retry_attempts=0, max_event_age=Duration.seconds(60)
                    )
                ],
            )
            for spec in topology.SCHEDULES
        }
