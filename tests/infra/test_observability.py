"""AMP is fed from the same rendered files as the local Prometheus and Alertmanager."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra import topology
from infra.cdk import functions as cdk_functions
from infra.cdk.schedules import rate_minutes
from scripts.observability.render import render_all
from tests.infra.conftest import Synthesized


def _render(tmp_path: Path, **env: str) -> dict[str, str]:
    return {k: p.read_text() for k, p in render_all(tmp_path, {**os.environ, **env}).items()}


def _flatten(value: Any) -> str:
    """A Fn::Join as text, references as <Ref:Id>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_flatten(p) for p in parts)
    if "Ref" in value:
        return f"<Ref:{value['Ref']}>"
    raise AssertionError(f"unexpected intrinsic {value}")


def test_rule_groups_carry_the_rendered_rules_text(synth: Synthesized, tmp_path: Path) -> None:
    rendered = _render(tmp_path)
    rule_keys = {k for k, text in rendered.items() if "groups" in (yaml.safe_load(text) or {})}
    assert {"recording_rules", "alerts"} <= rule_keys
    (workspace_id,) = synth.of_type("AWS::APS::Workspace")
    namespaces = {
        n["Properties"]["Name"]: n["Properties"] for n in synth.of_type("AWS::APS::RuleGroupsNamespace").values()
    }
    assert set(namespaces) == {k.replace("_", "-") for k in rule_keys}
    for key in rule_keys:
        namespace = namespaces[key.replace("_", "-")]
        assert namespace["Data"] == rendered[key], f"{key} differs from scripts/observability/render.py"
        assert namespace["Workspace"] == {"Fn::GetAtt": [workspace_id, "Arn"]}


def test_alert_manager_definition_is_the_rendered_amp_variant(synth: Synthesized, tmp_path: Path) -> None:
    (topic_id,) = synth.of_type("AWS::SNS::Topic")
    (workspace,) = synth.of_type("AWS::APS::Workspace").values()
    actual = yaml.safe_load(_flatten(workspace["Properties"]["AlertManagerDefinition"]))
    rendered = _render(tmp_path, ALERT_SNS_TOPIC_ARN=f"<Ref:{topic_id}>", AWS_REGION="<Ref:AWS::Region>")
    expected = yaml.safe_load(rendered["alertmanager_amp"])
    assert yaml.safe_load(actual["alertmanager_config"]) == yaml.safe_load(expected["alertmanager_config"])
    receivers = yaml.safe_load(actual["alertmanager_config"])["receivers"]
    assert any(r.get("sns_configs") for r in receivers), "AMP delivers through the alarm topic"


def test_alarm_topic_accepts_amp_and_cloudwatch(synth: Synthesized) -> None:
    (policy,) = synth.of_type("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    principals = {s["Principal"].get("Service") for s in statements if s["Effect"] == "Allow"}
    assert {"aps.amazonaws.com", "cloudwatch.amazonaws.com"} <= principals


@pytest.mark.parametrize("schedule", topology.SCHEDULES, ids=lambda s: s.name)
def test_schedule_invokes_its_function_at_eventbridge_granularity(
    synth: Synthesized, schedule: topology.Schedule
) -> None:
    rule_id = synth.logical_id("AWS::Events::Rule", Name=topology.physical_name(synth.stage, schedule.name))
    rule = synth.resources[rule_id]["Properties"]
    if schedule.every_seconds < 60:
        assert rule["ScheduleExpression"] == "rate(1 minute)"
    else:
        assert rule["ScheduleExpression"].startswith("rate(")
    function_id = synth.function_id(schedule.function)
    env = synth.resources[function_id]["Properties"]["Environment"]["Variables"]
    assert env["SCHEDULE_EVERY_SECONDS"] == str(schedule.every_seconds)


def test_sub_minute_schedules_fire_every_minute() -> None:
    assert rate_minutes(15) == 1
    assert rate_minutes(60) == 1
    assert rate_minutes(300) == 5


def test_remote_writers_get_the_amp_url_and_only_they_may_write(synth: Synthesized) -> None:
    (workspace_id,) = synth.of_type("AWS::APS::Workspace")
    writers = set()
    for policy in synth.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "aps:RemoteWrite" in statement["Action"]:
                assert statement["Resource"] == {"Fn::GetAtt": [workspace_id, "Arn"]}
                writers.add(policy["Properties"]["Roles"][0]["Ref"])
    expected = set()
    for spec in topology.FUNCTIONS:
        fields = cdk_functions.settings_fields(spec.name) or frozenset()
        if cdk_functions.AMP_REMOTE_WRITE_SETTING in fields:
            fn_id = synth.logical_id(
                "AWS::Lambda::Function", FunctionName=topology.physical_name(synth.stage, spec.name)
            )
            expected.add(synth.resources[fn_id]["Properties"]["Role"]["Fn::GetAtt"][0])
    assert writers == expected


def test_exporter_pushes_to_amp_every_15_seconds(synth: Synthesized) -> None:
    """The metrics exporter's schedule, AMP URL and remote-write permission (skipped before it exists)."""
    scheduled = {s.function: s for s in topology.SCHEDULES}
    exporters = [
        f.name
        for f in topology.FUNCTIONS
        if cdk_functions.AMP_REMOTE_WRITE_SETTING in (cdk_functions.settings_fields(f.name) or ())
    ]
    if not exporters:
        pytest.skip("no function reads AMP_REMOTE_WRITE_URL yet")
    (workspace_id,) = synth.of_type("AWS::APS::Workspace")
    for name in exporters:
        function_id = synth.logical_id("AWS::Lambda::Function", FunctionName=topology.physical_name(synth.stage, name))
        env = synth.resources[function_id]["Properties"]["Environment"]["Variables"]
        assert env["AMP_REMOTE_WRITE_URL"]["Fn::Join"][1] == [
            {"Fn::GetAtt": [workspace_id, "PrometheusEndpoint"]},
            "api/v1/remote_write",
        ]
        if name in scheduled:
            assert env["SCHEDULE_EVERY_SECONDS"] == str(scheduled[name].every_seconds)
