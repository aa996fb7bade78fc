"""Preflight decisions across modes and complexities, input validation and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.ops import preflight
from scripts.ops.preflight import InputError, Inputs, decide, load_config

CONFIG = load_config()


def _decide(readiness: float, mvp: float, security: str = "PASS", complexity: str = "medium", mode: str = "B"):
    return decide(Inputs(readiness, mvp, security, complexity, mode), CONFIG)


def test_the_documented_example_is_go_in_the_default_mode() -> None:
    assert CONFIG.mode == "B"
    result = _decide(7.5, 7.0)
    assert result.decision == "GO", result
    assert result.blocking_issues == [] and result.conditions == []


@pytest.mark.parametrize(
    ("mode", "complexity", "readiness", "mvp", "decision"),
    [
        # mode B (7.0 / 6.5, margin 0.5)
        ("B", "low", 7.0, 6.5, "GO"),  # low lowers both minimums to 6.5 / 6.0; min + margin exactly is GO
        ("B", "low", 6.5, 6.5, "GO_WITH_CONDITIONS"),  # exactly at the minimum passes, with a condition
        ("B", "medium", 7.2, 7.0, "GO_WITH_CONDITIONS"),  # readiness within the margin
        ("B", "medium", 6.9, 7.0, "NO_GO"),
        ("B", "high", 8.0, 7.5, "GO_WITH_CONDITIONS"),  # high always ships through the canary
        ("B", "high", 7.4, 7.5, "NO_GO"),  # 7.0 + 0.5
        # mode A (8.0 / 7.5): the example's scores are not enough
        ("A", "medium", 7.5, 7.0, "NO_GO"),
        ("A", "low", 8.0, 7.5, "GO"),
        ("A", "critical", 9.5, 9.0, "GO_WITH_CONDITIONS"),  # canary + second approval
        ("A", "critical", 8.9, 9.0, "NO_GO"),
        # mode C (6.0 / 5.0)
        ("C", "medium", 6.5, 5.5, "GO"),
        ("C", "critical", 10.0, 10.0, "NO_GO"),  # mode C never ships critical changes
    ],
)
def test_decisions_across_modes_and_complexities(
    mode: str, complexity: str, readiness: float, mvp: float, decision: str
) -> None:
    assert _decide(readiness, mvp, complexity=complexity, mode=mode).decision == decision


def test_blocking_issues_name_each_failure() -> None:
    result = _decide(6.0, 5.0, security="FAIL", complexity="critical", mode="C")
    assert result.decision == "NO_GO"
    joined = "\n".join(result.blocking_issues)
    assert "mode C does not ship critical changes" in joined
    assert "readiness score 6 below 7" in joined and "MVP score 5 below 6" in joined
    assert "security gate FAIL" in joined


def test_security_warn_blocks_in_mode_a_and_is_a_condition_in_b() -> None:
    strict = _decide(9, 9, security="WARN", mode="A")
    assert strict.decision == "NO_GO" and any("WARN" in i for i in strict.blocking_issues)
    relaxed = _decide(9, 9, security="WARN", mode="B")
    assert relaxed.decision == "GO_WITH_CONDITIONS" and any("WARN" in c for c in relaxed.conditions)


def test_thresholds_follow_the_complexity_deltas() -> None:
    assert _decide(9, 9, complexity="critical", mode="A").thresholds["readiness_min"] == 9.0
    assert _decide(9, 9, complexity="low", mode="C").thresholds["mvp_min"] == 4.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mvp", "7", "--security", "PASS", "--complexity", "low"], "READINESS_SCORE is required"),
        (["--readiness", "seven", "--mvp", "7", "--security", "PASS", "--complexity", "low"], "is not a number"),
        (["--readiness", "11", "--mvp", "7", "--security", "PASS", "--complexity", "low"], "outside 0 to 10"),
        (["--readiness", "nan", "--mvp", "7", "--security", "PASS", "--complexity", "low"], "outside 0 to 10"),
        (["--readiness", "7", "--mvp", "7", "--security", "OK", "--complexity", "low"], "PASS, WARN, FAIL"),
        (["--readiness", "7", "--mvp", "7", "--security", "PASS", "--complexity", "huge"], "low, medium, high"),
        (["--readiness", "7", "--mvp", "7", "--security", "PASS", "--complexity", "low", "--mode", "D"], "MODE"),
    ],
)
def test_bad_inputs_exit_2_with_a_clear_message(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    assert preflight.main([*args, "--report", str(report)], env={}) == 2
    assert message in capsys.readouterr().err
    assert not report.exists()


def test_cli_reads_the_make_variables_writes_the_report_and_exits_1_on_no_go(tmp_path: Path) -> None:
    report = tmp_path / "preflight_report.json"
    env = {"READINESS_SCORE": "7.5", "MVP_SCORE": "7.0", "SECURITY_GATE": "pass", "CHANGE_COMPLEXITY": "Medium"}
    assert preflight.main(["--report", str(report)], env=env) == 0
    written = json.loads(report.read_text())
    assert written["decision"] == "GO" and written["mode"] == "B"
    assert written["inputs"]["security"] == "PASS" and written["inputs"]["complexity"] == "medium"
    assert preflight.main(["--report", str(report)], env={**env, "MODE": "A"}) == 1
    written = json.loads(report.read_text())
    assert written["decision"] == "NO_GO" and written["blocking_issues"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mode: B\n", "needs a `modes` mapping"),
        ("mode: Z\nmodes: {B: {readiness_min: 7, mvp_min: 6, conditions_margin: 0.5}}\n", "is missing"),
        ("modes: {B: {readiness_min: high, mvp_min: 6, conditions_margin: 0.5}}\n", "must be a number"),
        ("modes: {B: {readiness_min: 7, mvp_min: 6, conditions_margin: 0, security_warn: maybe}}\n", "block or"),
        ("modes: [\n", "invalid YAML"),
    ],
)
def test_bad_config_is_reported(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "project_config.yml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_config(path)


def test_missing_config_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_config(tmp_path / "nope.yml")
