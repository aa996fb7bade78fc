"""The app builds whatever the topology declares: a grown topology (a PMS proxy the orchestrator invokes,
a scheduled function outside the VPC) synthesizes with no change to infra/cdk, cdk-nag clean."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from infra import topology
from tests.infra.conftest import Synthesized, synthesize


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Any:
    names = {f.name for f in topology.FUNCTIONS}
    added = [
        topology.Function("pms_proxy", "functions.pms_proxy.handler.handler", "PMS"),
        topology.Function(
            "nightly_report",
            "functions.nightly_report.handler.handler",
            "report",
            uses_redis=False,
            reserved_concurrency=1,
        ),
    ]
    with pytest.MonkeyPatch.context() as patch:
        functions = tuple(
            dataclasses.replace(f, invokes=("pms_proxy",)) if f.name == "orchestrator" else f
            for f in topology.FUNCTIONS
        )
        patch.setattr(topology, "FUNCTIONS", (*functions, *(f for f in added if f.name not in names)))
        patch.setattr(
            topology, "SCHEDULES", (*topology.SCHEDULES, topology.Schedule("nightly", "nightly_report", 86400))
        )
        yield synthesize("dev", Path(tmp_path_factory.mktemp("cdk-grown")))


def _function(synth: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    logical = synth.logical_id("AWS::Lambda::Function", FunctionName=f"agente-hotel-dev-{name}")
    return logical, synth.resources[logical]["Properties"]


def _statements(synth: Synthesized, props: dict[str, Any]) -> list[dict[str, Any]]:
    role = props["Role"]["Fn::GetAtt"][0]
    return [
        s
        for p in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_grown_topology_synthesizes_clean(grown: Synthesized) -> None:
    assert grown.validation_error is None, grown.validation_error
    names = {f["Properties"]["FunctionName"] for f in grown.of_type("AWS::Lambda::Function").values()}
    assert {"agente-hotel-dev-pms_proxy", "agente-hotel-dev-nightly_report"} <= names


def test_schedules_of_whole_minutes_keep_their_rate(grown: Synthesized) -> None:
    _, report = _function(grown, "nightly_report")
    rule = grown.resources[grown.logical_id("AWS::Events::Rule", Name="agente-hotel-dev-nightly")]
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 day)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": grown.alias_id("nightly_report")}
    assert report["Environment"]["Variables"]["SCHEDULE_EVERY_SECONDS"] == "86400"


def test_invokes_grant_invoke_on_the_targets_alias_only(grown: Synthesized) -> None:
    _, orchestrator = _function(grown, "orchestrator")
    alias = {"Ref": grown.alias_id("pms_proxy")}
    invokes = [s for s in _statements(grown, orchestrator) if s["Action"] == "lambda:InvokeFunction"]
    assert invokes == [{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": alias}]
    assert orchestrator["Environment"]["Variables"]["PMS_PROXY_FUNCTION"] == alias


def test_pms_keys_are_read_by_prefix(grown: Synthesized) -> None:
    _, proxy = _function(grown, "pms_proxy")
    assert proxy["Environment"]["Variables"]["PMS_SECRET_PREFIX"] == "agente-hotel/dev/pms/"
    resources = [
        str(s["Resource"]) for s in _statements(grown, proxy) if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    assert any("agente-hotel/dev/pms/*" in r for r in resources)


def test_functions_without_redis_stay_out_of_the_vpc(grown: Synthesized) -> None:
    _, report = _function(grown, "nightly_report")
    assert "VpcConfig" not in report
    assert "REDIS_URL" not in report["Environment"]["Variables"]
    assert report["ReservedConcurrentExecutions"] == 1
