"""Preflight gate: may this change ship? GO, GO_WITH_CONDITIONS or NO_GO from the review scores, the
security gate and the change's complexity, against the thresholds of the project's mode in
.playbook/project_config.yml.

    python -m scripts.ops.preflight --readiness 7.5 --mvp 7.0 --security PASS --complexity medium [--mode B]

Writes .playbook/preflight_report.json; exits 0 on GO and GO_WITH_CONDITIONS, 1 on NO_GO, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = ROOT / ".playbook" / "project_config.yml"
REPORT_FILE = ROOT / ".playbook" / "preflight_report.json"

COMPLEXITIES = ("low", "medium", "high", "critical")
SECURITY_RESULTS = ("PASS", "WARN", "FAIL")
Decision = Literal["GO", "GO_WITH_CONDITIONS", "NO_GO"]


class InputError(ValueError):
    """Bad arguments or a bad project_config.yml; the message says which and what is accepted."""


@dataclass(frozen=True)
class ModeRules:
    readiness_min: float
    mvp_min: float
    conditions_margin: float
    security_warn: Literal["block", "condition"]
    blocked_complexities: tuple[str, ...]


@dataclass(frozen=True)
class ComplexityRules:
    readiness_delta: float
    mvp_delta: float
    requires_canary: bool
    requires_approval: bool


@dataclass(frozen=True)
class Config:
    mode: str
    modes: Mapping[str, ModeRules]
    complexity: Mapping[str, ComplexityRules]


@dataclass(frozen=True)
class Inputs:
    readiness: float
    mvp: float
    security: str
    complexity: str
    mode: str


@dataclass
class Result:
    decision: Decision
    mode: str
    inputs: dict[str, Any]
    thresholds: dict[str, float]
    blocking_issues: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)


# -- inputs -----------------------------------------------------------------------------------------


def parse_score(name: str, raw: str | None) -> float:
    if raw is None or not str(raw).strip():
        raise InputError(f"{name} is required: a number from 0 to 10, e.g. {name}=7.5")
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a number (expected 0 to 10)") from None
    if not math.isfinite(value) or not 0 <= value <= 10:
        raise InputError(f"{name}={raw!r} is outside 0 to 10")
    return value


def parse_choice(name: str, raw: str | None, choices: tuple[str, ...], *, upper: bool) -> str:
    if raw is None or not str(raw).strip():
        raise InputError(f"{name} is required: one of {', '.join(choices)}")
    value = raw.strip().upper() if upper else raw.strip().lower()
    if value not in choices:
        raise InputError(f"{name}={raw!r} is not one of {', '.join(choices)}")
    return value


# -- config -----------------------------------------------------------------------------------------


def _number(where: str, data: Mapping[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}.{key} must be a number, got {value!r}")
    return float(value)


def _flag(where: str, data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise InputError(f"{where}.{key} must be true or false, got {value!r}")
    return value


def load_config(path: Path = CONFIG_FILE) -> Config:
    if not path.is_file():
        raise InputError(f"{path} not found: the preflight thresholds live there")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("modes"), dict) or not data["modes"]:
        raise InputError(f"{path}: needs a `modes` mapping (A, B, C …)")
    modes: dict[str, ModeRules] = {}
    for name, rules in data["modes"].items():
        where = f"modes.{name}"
        if not isinstance(rules, dict):
            raise InputError(f"{where} must be a mapping")
        warn = rules.get("security_warn", "block")
        if warn not in ("block", "condition"):
            raise InputError(f"{where}.security_warn must be block or condition, got {warn!r}")
        blocked = tuple(rules.get("blocked_complexities") or ())
        unknown = [c for c in blocked if c not in COMPLEXITIES]
        if unknown:
            raise InputError(f"{where}.blocked_complexities: unknown {unknown}")
        modes[str(name).upper()] = ModeRules(
            readiness_min=_number(where, rules, "readiness_min"),
            mvp_min=_number(where, rules, "mvp_min"),
            conditions_margin=_number(where, rules, "conditions_margin"),
            security_warn=warn,
            blocked_complexities=blocked,
        )
    complexity: dict[str, ComplexityRules] = {}
    for name in COMPLEXITIES:
        rules = (data.get("complexity") or {}).get(name)
        where = f"complexity.{name}"
        if not isinstance(rules, dict):
            raise InputError(f"{path}: {where} is missing")
        complexity[name] = ComplexityRules(
            readiness_delta=_number(where, rules, "readiness_delta"),
            mvp_delta=_number(where, rules, "mvp_delta"),
            requires_canary=_flag(where, rules, "requires_canary"),
            requires_approval=_flag(where, rules, "requires_approval"),
        )
    mode = str(data.get("mode", "")).upper()
    if mode not in modes:
        raise InputError(f"{path}: mode {data.get('mode')!r} is not one of {', '.join(modes)}")
    return Config(mode=mode, modes=modes, complexity=complexity)


# -- the decision -----------------------------------------------------------------------------------


def decide(inputs: Inputs, config: Config) -> Result:
    """Pure: the gate's decision with every blocking issue and condition named."""
    mode = config.modes[inputs.mode]
    change = config.complexity[inputs.complexity]
    readiness_min = round(mode.readiness_min + change.readiness_delta, 3)
    mvp_min = round(mode.mvp_min + change.mvp_delta, 3)
    result = Result(
        decision="GO",
        mode=inputs.mode,
        inputs=asdict(inputs),
        thresholds={"readiness_min": readiness_min, "mvp_min": mvp_min, "conditions_margin": mode.conditions_margin},
    )
    blocking, conditions = result.blocking_issues, result.conditions
    if inputs.complexity in mode.blocked_complexities:
        blocking.append(f"mode {inputs.mode} does not ship {inputs.complexity} changes")
    for label, score, minimum in (("readiness", inputs.readiness, readiness_min), ("MVP", inputs.mvp, mvp_min)):
        if score < minimum:
            blocking.append(f"{label} score {score:g} below {minimum:g} (mode {inputs.mode}, {inputs.complexity})")
        elif score < minimum + mode.conditions_margin:
            conditions.append(f"{label} score {score:g} within {mode.conditions_margin:g} of its minimum {minimum:g}")
    if inputs.security == "FAIL":
        blocking.append("security gate FAIL (make security-fast)")
    elif inputs.security == "WARN":
        message = "security gate WARN: a security check was skipped or needs review"
        (blocking if mode.security_warn == "block" else conditions).append(message)
    if change.requires_canary:
        conditions.append(f"{inputs.complexity} change: ship through the canary (canary diff must PASS)")
    if change.requires_approval:
        conditions.append(f"{inputs.complexity} change: a second reviewer approves the deploy")
    result.decision = "NO_GO" if blocking else ("GO_WITH_CONDITIONS" if conditions else "GO")
    return result


def write_report(result: Result, path: Path = REPORT_FILE) -> dict[str, Any]:
    report = {
        "decision": result.decision,
        "mode": result.mode,
        "inputs": result.inputs,
        "thresholds": result.thresholds,
        "blocking_issues": result.blocking_issues,
        "conditions": result.conditions,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readiness", default=env.get("READINESS_SCORE"), help="READINESS_SCORE, 0-10")
    parser.add_argument("--mvp", default=env.get("MVP_SCORE"), help="MVP_SCORE, 0-10")
    parser.add_argument("--security", default=env.get("SECURITY_GATE"), help="SECURITY_GATE: PASS, WARN or FAIL")
    parser.add_argument("--complexity", default=env.get("CHANGE_COMPLEXITY"), help="low, medium, high, critical")
    parser.add_argument("--mode", default=env.get("MODE") or None, help="A, B or C (default: the config's mode)")
    parser.add_argument("--config", type=Path, default=CONFIG_FILE)
    parser.add_argument("--report", type=Path, default=REPORT_FILE)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        inputs = Inputs(
            readiness=parse_score("READINESS_SCORE", args.readiness),
            mvp=parse_score("MVP_SCORE", args.mvp),
            security=parse_choice("SECURITY_GATE", args.security, SECURITY_RESULTS, upper=True),
            complexity=parse_choice("CHANGE_COMPLEXITY", args.complexity, COMPLEXITIES, upper=False),
            mode=parse_choice("MODE", args.mode or config.mode, tuple(config.modes), upper=True),
        )
    except InputError as exc:
        print(f"preflight: {exc}", file=sys.stderr)
        return 2
    result = decide(inputs, config)
    write_report(result, args.report)
    print(f"preflight {result.decision} (mode {result.mode}, {inputs.complexity} change) -> {args.report}")
    for issue in result.blocking_issues:
        print(f"  BLOCKING  {issue}")
    for condition in result.conditions:
        print(f"  CONDITION {condition}")
    return 1 if result.decision == "NO_GO" else 0


if __name__ == "__main__":
    sys.exit(main())
