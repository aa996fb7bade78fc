"""The operational guardrails (scripts/guardrails.conf): parsed, validated against policy bounds, and read
by the other operator tools so a caller cannot ask for more retries, longer timeouts or more load than the
policy allows.

    python -m scripts.ops.guardrails validate [--file scripts/guardrails.conf]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "scripts" / "guardrails.conf"
_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=([^\s#$`;|&]+)\s*(?:#.*)?$")


@dataclass(frozen=True)
class Bound:
    """The policy for one key: its type and the range the original system allowed."""

    kind: type[int] | type[float]
    low: float
    high: float
    why: str


# The bounds are the policy; guardrails.conf picks values inside them. A value outside is a config error,
# not a silent clamp, because a guardrail that can be loosened by editing one file is no guardrail.
POLICY: Mapping[str, Bound] = {
    "MAX_CI_DURATION_MINUTES": Bound(int, 1, 15, "CI runs in at most 15 minutes"),
    "MAX_DEPLOY_DURATION_MINUTES": Bound(int, 1, 25, "a stage deploy takes at most 25 minutes"),
    "MAX_HEALTH_CHECK_RETRIES": Bound(int, 1, 10, "health-check retries are capped at 10"),
    "MAX_HEALTH_CHECK_TIMEOUT_SECONDS": Bound(int, 1, 60, "a health-check request times out within 60 s"),
    "DEFAULT_HEALTH_CHECK_RETRIES": Bound(int, 1, 10, "default retries within the cap"),
    "DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS": Bound(int, 1, 60, "default timeout within the cap"),
    "MIN_REQUEST_INTERVAL_SECONDS": Bound(float, 1, 60, "at least 1 s between two health-check requests"),
    "ALERT_COOLDOWN_SECONDS": Bound(int, 300, 3600, "alerts repeat at most every 5 minutes"),
    "CANARY_INITIAL_WEIGHT": Bound(float, 0.01, 0.5, "a canary starts with a minority of the traffic"),
    "CANARY_MAX_WEIGHT": Bound(float, 0.01, 0.5, "the canary never takes the majority before promotion"),
    "MAX_CANARY_OBSERVATION_MINUTES": Bound(int, 1, 60, "a canary is judged within an hour"),
    "MAX_PERF_SMOKE_DURATION_SECONDS": Bound(int, 1, 600, "the smoke load stops by itself within 10 minutes"),
    "MAX_PERF_SMOKE_RPS": Bound(int, 1, 500, "the smoke load is bounded"),
    "PERF_P95_LIMIT_MS": Bound(int, 1, 5000, "the smoke gate's p95 limit"),
    "PERF_MAX_ERROR_RATE": Bound(float, 0, 0.05, "the smoke gate tolerates at most 5% errors"),
}

# Relations between keys, checked after each key is in range.
_RELATIONS: tuple[tuple[str, str, str], ...] = (
    ("DEFAULT_HEALTH_CHECK_RETRIES", "MAX_HEALTH_CHECK_RETRIES", "default retries exceed the cap"),
    ("DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS", "MAX_HEALTH_CHECK_TIMEOUT_SECONDS", "default timeout exceeds the cap"),
    ("CANARY_INITIAL_WEIGHT", "CANARY_MAX_WEIGHT", "initial canary weight above the maximum"),
    ("MAX_CI_DURATION_MINUTES", "MAX_DEPLOY_DURATION_MINUTES", "CI may not outlast a deploy"),
)


class GuardrailError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse(text: str) -> tuple[dict[str, str], list[str]]:
    """KEY=VALUE lines -> raw values, plus the problems found (bad lines, duplicates)."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append(f"line {number}: not a plain KEY=VALUE line: {line!r}")
            continue
        key, value = match.groups()
        if key in values:
            problems.append(f"line {number}: {key} set twice")
        values[key] = value
    return values, problems


def validate(raw: Mapping[str, str], problems: list[str] | None = None) -> dict[str, float]:
    """Typed values when every key is known, present and within policy; GuardrailError listing all problems."""
    problems = list(problems or [])
    typed: dict[str, float] = {}
    for key in sorted(set(raw) - set(POLICY)):
        problems.append(f"{key}: unknown guardrail (typo?)")
    for key, bound in POLICY.items():
        if key not in raw:
            problems.append(f"{key}: missing")
            continue
        try:
            value: float = bound.kind(raw[key])
        except ValueError:
            problems.append(f"{key}={raw[key]}: not {'an integer' if bound.kind is int else 'a number'}")
            continue
        if not bound.low <= value <= bound.high:
            problems.append(f"{key}={raw[key]}: outside [{bound.low:g}, {bound.high:g}] ({bound.why})")
            continue
        typed[key] = value
    for low_key, high_key, message in _RELATIONS:
        if low_key in typed and high_key in typed and typed[low_key] > typed[high_key]:
            problems.append(f"{low_key} > {high_key}: {message}")
    if problems:
        raise GuardrailError(problems)
    return typed


def load(path: Path = DEFAULT_FILE) -> dict[str, float]:
    if not path.is_file():
        raise GuardrailError([f"{path}: not found"])
    raw, problems = parse(path.read_text())
    return validate(raw, problems)


def cap(value: float, limit: float) -> float:
    return min(value, limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("validate", "show"))
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args(argv)
    try:
        values = load(args.file)
    except GuardrailError as exc:
        print(f"guardrails INVALID ({args.file}):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if args.command == "show":
        for key, value in values.items():
            print(f"{key}={value:g}")
    else:
        print(f"guardrails OK: {len(values)} limits in {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
