"""The HTTP API: the topology's routes, their throttling, access logs and authorization."""

from __future__ import annotations

import pytest

from infra import topology
from tests.infra.conftest import Synthesized


@pytest.mark.parametrize("route", topology.ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_route_maps_to_its_functions_live_alias(synth: Synthesized, route: topology.Route) -> None:
    route_id = synth.logical_id("AWS::ApiGatewayV2::Route", RouteKey=f"{route.method} {route.path}")
    target = synth.resources[route_id]["Properties"]["Target"]["Fn::Join"][1]
    assert target[0] == "integrations/"
    integration = synth.resources[target[1]["Ref"]]["Properties"]
    # The alias, never $LATEST: a canary's weights apply to API traffic too.
    assert integration["IntegrationUri"] == {"Ref": synth.alias_id(route.function)}
    assert integration["PayloadFormatVersion"] == "2.0"


def test_api_gateway_may_invoke_the_aliases_only(synth: Synthesized) -> None:
    aliases = {f.name: {"Ref": synth.alias_id(f.name)} for f in topology.FUNCTIONS}
    permissions = [
        p["Properties"]
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    assert {str(p["FunctionName"]) for p in permissions} == {str(aliases[r.function]) for r in topology.ROUTES}


def test_per_route_throttling_is_the_topology_limits(synth: Synthesized) -> None:
    (stage,) = synth.of_type("AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["RouteSettings"]
    assert set(settings) == {f"{r.method} {r.path}" for r in topology.ROUTES}
    for route in topology.ROUTES:
        assert settings[f"{route.method} {route.path}"] == {
            "ThrottlingRateLimit": route.throttle_rate_per_second,
            "ThrottlingBurstLimit": route.throttle_burst,
        }
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0


def test_stage_writes_access_logs(synth: Synthesized) -> None:
    (stage,) = synth.of_type("AWS::ApiGatewayV2::Stage").values()
    access = stage["Properties"]["AccessLogSettings"]
    assert access["DestinationArn"]["Fn::GetAtt"][1] == "Arn"
    assert "$context.requestId" in access["Format"]
    assert "$context.status" in access["Format"]


def test_admin_routes_are_checked_by_the_function_by_default(synth: Synthesized) -> None:
    for logical, route in synth.of_type("AWS::ApiGatewayV2::Route").items():
        assert route["Properties"].get("AuthorizationType", "NONE") == "NONE", logical


def test_outputs_give_the_webhook_url_for_meta(synth: Synthesized) -> None:
    outputs = synth.json["Outputs"]
    assert {"ApiUrl", "WhatsappWebhookUrl", "PrometheusRemoteWriteUrl"} <= set(outputs)
    webhook = outputs["WhatsappWebhookUrl"]["Value"]["Fn::Join"][1]
    assert webhook[-1].endswith("/webhooks/whatsapp")
    for queue in topology.QUEUES:
        assert queue.name.capitalize() + "QueueUrl" in outputs
