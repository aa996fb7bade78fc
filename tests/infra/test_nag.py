"""cdk-nag's AwsSolutions pack runs at synth: no unacknowledged error, and every acknowledgment has a reason."""

from __future__ import annotations

from typing import Any

from tests.infra.conftest import Synthesized


def _violations(report: dict[str, Any] | None) -> list[str]:
    if not report:
        return []
    return [
        f"{v['ruleName']} ({v.get('severity')}) at {[c.get('constructPath') for c in v.get('violatingConstructs', [])]}"
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
    ]


def test_no_unsuppressed_cdk_nag_error(synth: Synthesized) -> None:
    errors = [v for v in _violations(synth.report) if "(error)" in v]
    assert synth.validation_error is None and not errors, "\n".join(errors) or synth.validation_error


def test_every_acknowledgment_has_a_reason(synth: Synthesized) -> None:
    acknowledged = [
        rule
        for resource in synth.resources.values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        if rule["id"].startswith("AwsSolutions-")
    ]
    assert acknowledged, "acknowledgments are written into the template metadata"
    for rule in acknowledged:
        assert len(rule["reason"]) >= 40, rule
