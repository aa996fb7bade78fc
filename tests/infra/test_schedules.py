"""EventBridge schedules fire the `live` alias of their function (rates and periods: test_observability)."""

from __future__ import annotations

import pytest

from infra import topology
from tests.infra.conftest import Synthesized


@pytest.mark.parametrize("schedule", topology.SCHEDULES, ids=lambda s: s.name)
def test_schedule_targets_the_live_alias(synth: Synthesized, schedule: topology.Schedule) -> None:
    rule = synth.resources[
        synth.logical_id("AWS::Events::Rule", Name=topology.physical_name(synth.stage, schedule.name))
    ]
    alias = {"Ref": synth.alias_id(schedule.function)}
    assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [alias]
    permissions = [
        p["Properties"]
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert alias in [p["FunctionName"] for p in permissions]
    assert all(
        p["FunctionName"].get("Ref") in {synth.alias_id(s.function) for s in topology.SCHEDULES} for p in permissions
    )
