"""Amazon Managed Prometheus fed from the same rendered files as the local Prometheus and Alertmanager:
rule groups namespaces carry the rule files verbatim, and the alert manager definition is the renderer's
AMP variant (same routing tree, delivered through the stage's SNS alarm topic). Optionally a Managed Grafana
workspace reading the AMP workspace."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml
from aws_cdk import Aws
from aws_cdk import aws_aps as aps
from aws_cdk import aws_grafana as grafana
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.cdk import nag
from infra.cdk.config import StageConfig, cid

ALERT_MANAGER_KEY = "alertmanager_amp"


def rendered_observability(env: Mapping[str, str]) -> dict[str, str]:
    """Everything scripts/observability/render.py renders, as text keyed like `render_all`'s result."""
    from scripts.observability.render import render_all  # the renderer is owned by observability/

    with tempfile.TemporaryDirectory(prefix="agente-hotel-observability-") as tmp:
        return {key: path.read_text(encoding="utf-8") for key, path in render_all(Path(tmp), env).items()}


def rule_files(rendered: Mapping[str, str]) -> dict[str, str]:
    """The rendered files that are Prometheus rules documents (top-level `groups`)."""
    rules = {}
    for key, text in rendered.items():
        doc = yaml.safe_load(text)
        if isinstance(doc, dict) and "groups" in doc:
            rules[key] = text
    return rules


def render_env(topic_arn: str, region: str) -> dict[str, str]:
    """The renderer's environment: the operator's (SLO_TARGET, ALERTS_TEST_ENABLED, …) plus where AMP's
    alert manager delivers."""
    return {**os.environ, "ALERT_SNS_TOPIC_ARN": topic_arn, "AWS_REGION": region}


class Observability(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, alarm_topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        rendered = rendered_observability(render_env(alarm_topic.topic_arn, Aws.REGION))
        self.workspace = aps.CfnWorkspace(
            self,
            "Prometheus",
            alias=config.name("prometheus"),
            alert_manager_definition=rendered[ALERT_MANAGER_KEY],
        )
        self.rule_namespaces = {
            key: aps.CfnRuleGroupsNamespace(
                self, f"{cid(key)}Rules", name=key.replace("_", "-"), workspace=self.workspace.attr_arn, data=text
            )
            for key, text in rule_files(rendered).items()
        }
        self.remote_write_url = f"{self.workspace.attr_prometheus_endpoint}api/v1/remote_write"
        self.grafana: grafana.CfnWorkspace | None = self._grafana(config) if config.grafana else None

    def _grafana(self, config: StageConfig) -> grafana.CfnWorkspace:
        role = iam.Role(
            self,
            "GrafanaRole",
            assumed_by=iam.ServicePrincipal("grafana.amazonaws.com"),
            description=f"{config.stack_name}: Managed Grafana reads the AMP workspace",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "aps:QueryMetrics",
                    "aps:GetSeries",
                    "aps:GetLabels",
                    "aps:GetMetricMetadata",
                    "aps:DescribeWorkspace",
                ],
                resources=[self.workspace.attr_arn],
            )
        )
        role.add_to_policy(iam.PolicyStatement(actions=["aps:ListWorkspaces"], resources=["*"]))
        nag.suppress(
            role,
            "IAM5",
            "aps:ListWorkspaces has no resource-level permission (Grafana's data source picker).",
            findings=["Resource::*"],
        )
        return grafana.CfnWorkspace(
            self,
            "Grafana",
            name=config.name("grafana"),
            description=f"{config.stack_name} dashboards (observability/grafana)",
            account_access_type="CURRENT_ACCOUNT",
            authentication_providers=["AWS_SSO"],
            permission_type="CUSTOMER_MANAGED",
            role_arn=role.role_arn,
            data_sources=["PROMETHEUS"],
        )
