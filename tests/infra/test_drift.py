"""The topology and the template agree both ways: nothing in one that is not in the other."""

from __future__ import annotations

from infra import topology
from tests.infra.conftest import Synthesized


def _names(synth: Synthesized, resource_type: str, prop: str) -> set[str]:
    return {r["Properties"][prop] for r in synth.of_type(resource_type).values()}


def test_functions_agree(synth: Synthesized) -> None:
    expected = {topology.physical_name(synth.stage, f.name) for f in topology.FUNCTIONS}
    assert _names(synth, "AWS::Lambda::Function", "FunctionName") == expected


def test_routes_agree(synth: Synthesized) -> None:
    expected = {f"{r.method} {r.path}" for r in topology.ROUTES}
    assert _names(synth, "AWS::ApiGatewayV2::Route", "RouteKey") == expected


def test_queues_agree(synth: Synthesized) -> None:
    expected = {topology.queue_physical_name(synth.stage, q, dlq=dlq) for q in topology.QUEUES for dlq in (False, True)}
    assert _names(synth, "AWS::SQS::Queue", "QueueName") == expected


def test_event_sources_agree(synth: Synthesized) -> None:
    assert len(synth.of_type("AWS::Lambda::EventSourceMapping")) == len(topology.EVENT_SOURCES)


def test_tables_agree(synth: Synthesized) -> None:
    expected = {topology.physical_name(synth.stage, t.name) for t in topology.TABLES}
    assert _names(synth, "AWS::DynamoDB::GlobalTable", "TableName") == expected


def test_schedules_agree(synth: Synthesized) -> None:
    expected = {topology.physical_name(synth.stage, s.name) for s in topology.SCHEDULES}
    assert _names(synth, "AWS::Events::Rule", "Name") == expected
