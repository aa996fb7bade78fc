"""Guardrail validation: the committed file passes; each kind of violation is reported, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.ops import guardrails
from scripts.ops.guardrails import GuardrailError, load, parse, validate

COMMITTED = guardrails.DEFAULT_FILE.read_text()


def _with(**changes: str) -> str:
    lines = []
    for line in COMMITTED.splitlines():
        key = line.split("=", 1)[0]
        if key in changes:
            value = changes.pop(key)
            if value is None:
                continue
            line = f"{key}={value}"
        lines.append(line)
    lines += [f"{k}={v}" for k, v in changes.items()]
    return "\n".join(lines) + "\n"


def _problems(text: str) -> list[str]:
    raw, problems = parse(text)
    with pytest.raises(GuardrailError) as caught:
        validate(raw, problems)
    return caught.value.problems


def test_the_committed_guardrails_hold_the_original_limits() -> None:
    values = load()
    assert values["MAX_CI_DURATION_MINUTES"] == 15
    assert values["MAX_DEPLOY_DURATION_MINUTES"] == 25
    assert values["MAX_HEALTH_CHECK_RETRIES"] <= 10 and values["MAX_HEALTH_CHECK_TIMEOUT_SECONDS"] <= 60
    assert values["ALERT_COOLDOWN_SECONDS"] == 300 and values["MIN_REQUEST_INTERVAL_SECONDS"] >= 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"MAX_HEALTH_CHECK_RETRIES": "11"}, "MAX_HEALTH_CHECK_RETRIES=11: outside [1, 10]"),
        ({"MAX_HEALTH_CHECK_TIMEOUT_SECONDS": "61"}, "outside [1, 60]"),
        ({"MAX_CI_DURATION_MINUTES": "20"}, "MAX_CI_DURATION_MINUTES=20: outside [1, 15]"),
        ({"MAX_DEPLOY_DURATION_MINUTES": "30"}, "outside [1, 25]"),
        ({"ALERT_COOLDOWN_SECONDS": "60"}, "alerts repeat at most every 5 minutes"),
        ({"MIN_REQUEST_INTERVAL_SECONDS": "0.5"}, "at least 1 s between"),
        ({"MAX_HEALTH_CHECK_RETRIES": "three"}, "not an integer"),
        ({"PERF_MAX_ERROR_RATE": "lots"}, "not a number"),
        ({"MAX_HEALTH_CHECK_RETRIES": None}, "MAX_HEALTH_CHECK_RETRIES: missing"),
        ({"MAX_HEALTH_CHEK_RETRIES": "3"}, "unknown guardrail (typo?)"),
        ({"DEFAULT_HEALTH_CHECK_RETRIES": "8", "MAX_HEALTH_CHECK_RETRIES": "5"}, "default retries exceed the cap"),
        ({"CANARY_INITIAL_WEIGHT": "0.4", "CANARY_MAX_WEIGHT": "0.2"}, "initial canary weight above the maximum"),
    ],
)
def test_each_violation_is_named(changes: dict[str, str], expected: str) -> None:
    problems = _problems(_with(**changes))
    assert any(expected in p for p in problems), problems


def test_shell_expansion_and_duplicates_are_refused() -> None:
    problems = _problems(COMMITTED + "MAX_HEALTH_CHECK_RETRIES=$(echo 99)\nALERT_COOLDOWN_SECONDS=300\n")
    assert any("not a plain KEY=VALUE line" in p for p in problems)
    assert any("ALERT_COOLDOWN_SECONDS set twice" in p for p in problems)


def test_all_problems_are_reported_together() -> None:
    assert len(_problems(_with(MAX_HEALTH_CHECK_RETRIES="50", ALERT_COOLDOWN_SECONDS="10"))) == 2


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert guardrails.main(["validate"]) == 0
    bad = tmp_path / "guardrails.conf"
    bad.write_text(_with(MAX_HEALTH_CHECK_TIMEOUT_SECONDS="120"))
    assert guardrails.main(["validate", "--file", str(bad)]) == 1
    assert "MAX_HEALTH_CHECK_TIMEOUT_SECONDS=120" in capsys.readouterr().err
    assert guardrails.main(["validate", "--file", str(tmp_path / "missing.conf")]) == 1


def test_the_shell_scripts_can_source_the_file(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        ["bash", "-c", f"set -eu; source {guardrails.DEFAULT_FILE}; echo $MAX_HEALTH_CHECK_RETRIES"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "10"
