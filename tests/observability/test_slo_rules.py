"""The SLO template: burn-rate tiers, degradation, budget forecast and the traffic floor, rendered for
SLO_TARGET 99 and 99.5 and for an ERROR_BUDGET_FRACTION override, each against the same traffic.

Every scenario runs at 1 msg/s (except `quiet`) with a constant error share, so which alerts fire is
decided by the budget alone: error shares sit away from every threshold (budget x 1, 3, 6, 14.4).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.observability import render, rules
from tests.observability.promtool import RulesTest, counter, series

SLO_ALERTS = [
    "OrchestratorSLODegradationWarning",
    "OrchestratorSLODegradationCritical",
    "OrchestratorSLOBurnRateCritical",
    "OrchestratorSLOBurnRateWarning",
    "OrchestratorSLOBudgetExhaustForecastWarning",
    "OrchestratorSLOBudgetExhaustForecastCritical",
]

# stage -> error share, at 60 messages per minute.
ERROR_SHARES = {"e20": 0.20, "e10": 0.10, "e4": 0.04, "e2_5": 0.025, "e1_2": 0.012, "e0_8": 0.008, "e0_3": 0.003}


def _messages(
    stage: str, segments_ok: list[tuple[int, float]], segments_error: list[tuple[int, float]], step: int = 1
) -> list[dict[str, str]]:
    metric = "orchestrator_messages_total"
    return [
        series(metric, counter(segments_ok, step), {"stage": stage, "intent": "booking", "status": "ok"}),
        series(metric, counter(segments_error, step), {"stage": stage, "intent": "booking", "status": "error"}),
    ]


def _fast_scenarios() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for stage, share in ERROR_SHARES.items():
        out += _messages(stage, [(70, 60 * (1 - share))], [(70, 60 * share)])
    out += _messages("quiet", [(70, 6)], [(70, 6)])  # 50% errors at 0.2 msg/s: under the 0.5 floor
    # 50% errors for 30 minutes, then none: the long windows stay high, the short ones have recovered.
    out += _messages("recovered", [(30, 30), (40, 60)], [(30, 30), (40, 0)])
    return out


def _stages(*names: str) -> list[dict[str, str]]:
    return [{"stage": n} for n in names]


# Expected firing stages at t=62m, per configuration. Thresholds on the error share:
#   burn critical > 6 x budget (the 6h/30m tier; 1h/5m at 14.4x implies it here), degradation warning
#   > budget and critical > 3 x budget, slow burn tiers and forecasts > budget (all data starts at t=0, so
#   the 30-day budget is already spent by any share above it).
CONFIGS = {
    "slo-99": (
        {},
        {"target": 0.99, "budget": 0.01},
        {
            "OrchestratorSLOBurnRateCritical": ["e20", "e10"],
            "OrchestratorSLODegradationWarning": ["e20", "e10", "e4", "e2_5", "e1_2"],
            "OrchestratorSLODegradationCritical": ["e20", "e10", "e4"],
            "OrchestratorSLOBurnRateWarning": ["e20", "e10", "e4", "e2_5", "e1_2", "recovered"],
            "OrchestratorSLOBudgetExhaustForecastWarning": ["e20", "e10", "e4", "e2_5", "e1_2", "recovered"],
            "OrchestratorSLOBudgetExhaustForecastCritical": ["e20", "e10", "e4", "e2_5", "e1_2", "recovered"],
        },
    ),
    "slo-99.5": (
        {"SLO_TARGET": "99.5"},
        {"target": 0.995, "budget": 0.005},
        {
            "OrchestratorSLOBurnRateCritical": ["e20", "e10", "e4"],
            "OrchestratorSLODegradationWarning": ["e20", "e10", "e4", "e2_5", "e1_2", "e0_8"],
            "OrchestratorSLODegradationCritical": ["e20", "e10", "e4", "e2_5"],
            "OrchestratorSLOBurnRateWarning": ["e20", "e10", "e4", "e2_5", "e1_2", "e0_8", "recovered"],
            "OrchestratorSLOBudgetExhaustForecastWarning": ["e20", "e10", "e4", "e2_5", "e1_2", "e0_8", "recovered"],
            "OrchestratorSLOBudgetExhaustForecastCritical": ["e20", "e10", "e4", "e2_5", "e1_2", "e0_8", "recovered"],
        },
    ),
    # The override wins over SLO_TARGET.
    "budget-0.02": (
        {"SLO_TARGET": "99.9", "ERROR_BUDGET_FRACTION": "0.02"},
        {"target": 0.98, "budget": 0.02},
        {
            "OrchestratorSLOBurnRateCritical": ["e20"],
            "OrchestratorSLODegradationWarning": ["e20", "e10", "e4", "e2_5"],
            "OrchestratorSLODegradationCritical": ["e20", "e10"],
            "OrchestratorSLOBurnRateWarning": ["e20", "e10", "e4", "e2_5", "recovered"],
            "OrchestratorSLOBudgetExhaustForecastWarning": ["e20", "e10", "e4", "e2_5", "recovered"],
            "OrchestratorSLOBudgetExhaustForecastCritical": ["e20", "e10", "e4", "e2_5", "recovered"],
        },
    ),
}


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_slo_alerts_follow_the_budget(out_dir: Path, config: str) -> None:
    env, meta, firing = CONFIGS[config]
    render.render_all(out_dir, env)
    t = RulesTest(out_dir)
    g = t.group("1m", _fast_scenarios())
    for alert in SLO_ALERTS:
        t.expect_alerts(g, alert, "1m", [])  # every `for:` still pending
        t.expect_alerts(g, alert, "62m", _stages(*firing[alert]))
    t.expect_value(g, "orchestrator_slo_target", "1m", meta["target"])
    t.expect_value(g, "orchestrator_error_budget_fraction", "1m", meta["budget"])
    t.expect_value(g, "orchestrator_slo_traffic_floor", "1m", 0.5)
    t.run(config)
    assert t.uncovered(SLO_ALERTS) == []


def test_traffic_floor_is_configurable(out_dir: Path) -> None:
    """With SLO_TRAFFIC_FLOOR=0.1 the 0.2 msg/s `quiet` stage pages too."""
    render.render_all(out_dir, {"SLO_TRAFFIC_FLOOR": "0.1"})
    t = RulesTest(out_dir)
    g = t.group("1m", _fast_scenarios())
    t.expect_alerts(g, "OrchestratorSLOBurnRateCritical", "20m", _stages("e20", "e10", "quiet", "recovered"))
    t.run("floor")


def test_slow_tiers_and_forecast_with_history(out_dir: Path) -> None:
    """Long windows at 5-minute steps: a day of history makes the 3d/6h tier, its short-window guard and
    the forecast's remaining budget meaningful (SLO 99)."""
    render.render_all(out_dir, {})
    t = RulesTest(out_dir, evaluation_interval="5m")
    h = 60  # minutes per hour
    g = t.group(
        "5m",
        # 12h healthy, then 4% errors: 3d burn 2 and 6h burn 4 page a ticket; 1d/2h stay under 3.
        _messages("ticket", [(12 * h, 60), (19 * h, 57.6)], [(12 * h, 0), (19 * h, 2.4)], step=5)
        # Same, but errors stop after 10h: the 3d window is still high, the 6h one has recovered.
        + _messages(
            "ticket-recovered",
            [(12 * h, 60), (10 * h, 57.6), (9 * h, 60)],
            [(12 * h, 0), (10 * h, 2.4), (9 * h, 0)],
            step=5,
        )
        # 25h healthy, then 2.5% errors for 6h: burning (6h burn 2.5) but most of the budget is left,
        # so no forecast fires (about 150 hours to exhaustion).
        + _messages("burning-with-budget", [(25 * h, 60), (6 * h, 58.5)], [(25 * h, 0), (6 * h, 1.5)], step=5),
    )
    t.expect_alerts(g, "OrchestratorSLOBurnRateWarning", "24h", _stages("ticket", "ticket-recovered"))
    t.expect_alerts(g, "OrchestratorSLOBurnRateWarning", "31h", _stages("ticket"))
    t.expect_alerts(g, "OrchestratorSLOBurnRateCritical", "31h", [])
    t.expect_alerts(g, "OrchestratorSLOBudgetExhaustForecastWarning", "31h", _stages("ticket"))
    t.expect_alerts(g, "OrchestratorSLOBudgetExhaustForecastCritical", "31h", _stages("ticket"))
    t.run("slow")


def test_slo_target_is_rendered_as_exact_decimals() -> None:
    assert rules.slo_params({"SLO_TARGET": "99.9"}).substitutions()["ERROR_BUDGET_FRACTION"] == "0.001"
    assert rules.slo_params({"SLO_TARGET": "99.5"}).substitutions()["SLO_CRITICAL_SUCCESS"] == "0.985"
    text = rules.rule_texts({"SLO_TARGET": "99.5"})[rules.RECORDING_RULES_FILE]
    assert "orchestrator_error_ratio:rate1h / 0.005" in text


@pytest.mark.parametrize(
    "env",
    [{"SLO_TARGET": "100"}, {"SLO_TARGET": "abc"}, {"ERROR_BUDGET_FRACTION": "1.5"}, {"SLO_TRAFFIC_FLOOR": "-1"}],
)
def test_invalid_slo_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        rules.slo_params(env)
