"""cdk-nag wiring (v3: a CDK policy validation plugin; findings fail the synth unless acknowledged).

Acknowledgments are made where the resource is built, through `suppress`, so the rule id and the reason
always travel together; they are also written into the template metadata as an audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def enable(app: IConstruct) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True))


def suppress(construct: IConstruct, rule: str, reason: str, *, findings: Sequence[str] = ()) -> None:
    """Acknowledge AwsSolutions-`rule` on `construct` for `reason`; rules reporting one finding per item
    (IAM5's `Resource::…`, `Action::…`) need each finding named."""
    ids = [f"AwsSolutions-{rule}[{finding}]" for finding in findings] or [f"AwsSolutions-{rule}"]
    Validations.of(construct).acknowledge(*(Acknowledgment(id=i, reason=reason) for i in ids))


def logical_id(construct: IConstruct) -> str:
    """The CloudFormation logical id of an L2's resource, as cdk-nag names it in findings (`<Id.Arn>`)."""
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement), construct.node.path
    stack = Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(resource)))
