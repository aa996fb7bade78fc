"""The app builds whatever the topology declares: a grown topology (the functions, routes and schedule
other work adds) synthesizes with no change to infra/cdk, cdk-nag clean."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import hotel_common.config as settings
from infra import topology
from tests.infra.conftest import Synthesized, synthesize


class PmsProxySettings(settings.CommonSettings):
    PMS_SECRET_PREFIX: str = ""


class MetricsExporterSettings(settings.CommonSettings):
    PROMETHEUS_REMOTE_WRITE_URL: str = "http://127.0.0.1:9090/api/v1/write"


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        functions = tuple(
            dataclasses.replace(f, invokes=("pms_proxy",)) if f.name == "orchestrator" else f
            for f in topology.FUNCTIONS
        )
        patch.setattr(
            topology,
            "FUNCTIONS",
            (
                *functions,
                topology.Function("pms_proxy", "functions.pms_proxy.handler.handler", "PMS", reserved_concurrency=5),
                topology.Function("metrics_exporter", "functions.metrics_exporter.handler.handler", "exporter"),
                topology.Function("health", "functions.health.handler.handler", "health", uses_redis=False),
            ),
        )
        patch.setattr(
            topology,
            "ROUTES",
            (
                *topology.ROUTES,
                topology.Route("GET", "/health/live", "health"),
                topology.Route("GET", "/health/ready", "health"),
            ),
        )
        patch.setattr(topology, "SCHEDULES", (topology.Schedule("metrics-export", "metrics_exporter", 15),))
        patch.setattr(settings, "PmsProxySettings", PmsProxySettings, raising=False)
        patch.setattr(settings, "MetricsExporterSettings", MetricsExporterSettings, raising=False)
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
    assert {"agente-hotel-dev-pms_proxy", "agente-hotel-dev-metrics_exporter", "agente-hotel-dev-health"} <= names
    routes = {r["Properties"]["RouteKey"] for r in grown.of_type("AWS::ApiGatewayV2::Route").values()}
    assert {"GET /health/live", "GET /health/ready"} <= routes


def test_sub_minute_schedule_runs_every_minute_with_the_period_in_the_environment(grown: Synthesized) -> None:
    exporter_id, exporter = _function(grown, "metrics_exporter")
    rule = grown.resources[grown.logical_id("AWS::Events::Rule", Name="agente-hotel-dev-metrics-export")]
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 minute)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [exporter_id, "Arn"]}
    assert exporter["Environment"]["Variables"]["SCHEDULE_EVERY_SECONDS"] == "15"


def test_exporter_gets_the_amp_url_and_remote_write_permission(grown: Synthesized) -> None:
    _, exporter = _function(grown, "metrics_exporter")
    (workspace_id,) = grown.of_type("AWS::APS::Workspace")
    url = exporter["Environment"]["Variables"]["PROMETHEUS_REMOTE_WRITE_URL"]["Fn::Join"][1]
    assert url == [{"Fn::GetAtt": [workspace_id, "PrometheusEndpoint"]}, "api/v1/remote_write"]
    assert any(
        s["Action"] == "aps:RemoteWrite" and s["Resource"] == {"Fn::GetAtt": [workspace_id, "Arn"]}
        for s in _statements(grown, exporter)
    )


def test_invokes_grant_invoke_on_the_target_only(grown: Synthesized) -> None:
    proxy_id, _ = _function(grown, "pms_proxy")
    _, orchestrator = _function(grown, "orchestrator")
    invokes = [s for s in _statements(grown, orchestrator) if s["Action"] == "lambda:InvokeFunction"]
    assert invokes == [
        {"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": {"Fn::GetAtt": [proxy_id, "Arn"]}}
    ]


def test_pms_keys_are_read_by_prefix_and_reserved_concurrency_is_set(grown: Synthesized) -> None:
    _, proxy = _function(grown, "pms_proxy")
    assert proxy["Environment"]["Variables"]["PMS_SECRET_PREFIX"] == "agente-hotel/dev/pms/"
    assert proxy["ReservedConcurrentExecutions"] == 5
    resources = [
        str(s["Resource"]) for s in _statements(grown, proxy) if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    assert any("agente-hotel/dev/pms/*" in r for r in resources)


def test_functions_without_redis_stay_out_of_the_vpc(grown: Synthesized) -> None:
    _, health = _function(grown, "health")
    assert "VpcConfig" not in health
    assert "REDIS_URL" not in health["Environment"]["Variables"]
