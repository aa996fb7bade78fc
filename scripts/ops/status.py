"""docs/STATUS_SNAPSHOT.md: one page on where the project stands, built from what the other gates wrote.

    python -m scripts.ops.status write [--quiet]   # scripts/generate-status-summary.sh
    python -m scripts.ops.status brief             # scripts/session-start.sh

Sources (each optional; a missing one is said, never guessed): cdk.out/<stage>/outputs.json (written by
`make deploy`), the local stack's pid file, the Alertmanager at ALERTMANAGER_URL, .playbook/*_report.json
(preflight, canary diff, security), reports/performance/smoke-summary.json, reports/health/
synthetic-health.json, reports/tests/junit.xml and reports/tests/coverage.xml (`make test-report`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET  # nosec B405 - parses our own pytest output
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "docs" / "STATUS_SNAPSHOT.md"
STAGES = ("dev", "staging", "prod")


def _json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip() or "?"


def deployments(root: Path = ROOT) -> list[str]:
    rows = ["| stage | state | API URL |", "| --- | --- | --- |"]
    for stage in STAGES:
        outputs = _json(root / "cdk.out" / stage / "outputs.json")
        if outputs:
            values: dict[str, str] = next(iter(outputs.values()), {})
            when = datetime.fromtimestamp((root / "cdk.out" / stage / "outputs.json").stat().st_mtime, UTC)
            state = f"deployed from this checkout {when:%Y-%m-%d %H:%M} UTC"
            rows.append(f"| {stage} | {state} | {values.get('ApiUrl', '?')} |")
        else:
            rows.append(f"| {stage} | no deploy recorded here (`make deploy STAGE={stage}` writes it) | — |")
    pid_file = root / ".local" / "stack.pid"
    local = "running (`make docker-down` stops it)" if pid_file.exists() else "stopped (`make docker-up`)"
    rows.append(f"| local | {local} | http://127.0.0.1:3000 |")
    return rows


def open_alerts(url: str) -> list[str]:
    try:
        response = httpx.get(f"{url.rstrip('/')}/api/v2/alerts", params={"active": "true"}, timeout=2)
        response.raise_for_status()
        alerts = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return [f"Alertmanager at {url} not reachable ({type(exc).__name__}): open alerts unknown."]
    if not alerts:
        return [f"None firing (Alertmanager {url})."]
    return [
        f"- **{a['labels'].get('alertname', '?')}** ({a['labels'].get('severity', '?')}) since {a.get('startsAt', '?')}"
        for a in alerts
    ]


def gate_results(root: Path = ROOT) -> list[str]:
    rows = ["| gate | result | when | details |", "| --- | --- | --- | --- |"]
    preflight = _json(root / ".playbook" / "preflight_report.json")
    if preflight:
        details = "; ".join(preflight.get("blocking_issues") or preflight.get("conditions") or []) or "—"
        rows.append(
            f"| preflight | {preflight['decision']} (mode {preflight.get('mode')}) "
            f"| {preflight.get('generated_at', '?')} | {details} |"
        )
    canary = _json(root / ".playbook" / "canary_diff_report.json")
    if canary:
        details = ", ".join(canary.get("fail_reasons") or []) or f"stage {canary.get('stage')}"
        rows.append(f"| canary diff | {canary['status']} | {canary.get('generated_at', '?')} | {details} |")
    security = _json(root / ".playbook" / "security_report.json")
    if security:
        checks = ", ".join(f"{c['name']} {c['status']}" for c in security.get("checks", []))
        rows.append(f"| security | {security.get('status')} | {security.get('generated_at', '?')} | {checks} |")
    smoke = _json(root / "reports" / "performance" / "smoke-summary.json")
    if smoke:
        lat = smoke.get("latency_ms", {})
        rows.append(
            f"| perf smoke | p95 {lat.get('p95')} ms, errors {smoke.get('error_rate', 0):.2%} "
            f"| {smoke.get('finished_at', '?')} | {smoke.get('achieved_rps')} RPS to {smoke.get('target')} |"
        )
    health = _json(root / "reports" / "health" / "synthetic-health.json")
    if health:
        rows.append(
            f"| synthetic health | {health['status']} | {health.get('checked_at', '?')} | {health['base_url']} |"
        )
    if len(rows) == 2:
        rows.append("| — | no gate has run in this checkout yet | — | — |")
    return rows


def tests_and_coverage(root: Path = ROOT) -> list[str]:
    lines: list[str] = []
    junit = root / "reports" / "tests" / "junit.xml"
    if junit.exists():
        suite = ET.parse(junit).getroot()  # noqa: S314  # nosec B314 - our own pytest output
        if suite.tag != "testsuite":
            suite = next(iter(suite.iter("testsuite")), suite)
        attrs = {k: int(float(suite.get(k, 0))) for k in ("tests", "failures", "errors", "skipped")}
        passed = attrs["tests"] - attrs["failures"] - attrs["errors"] - attrs["skipped"]
        lines.append(
            f"Last `make test-report`: {passed} passed, {attrs['failures']} failed, {attrs['errors']} errors, "
            f"{attrs['skipped']} skipped ({suite.get('time', '?')} s, {suite.get('timestamp', '?')})."
        )
    else:
        lines.append("No test report in this checkout (`make test-report` writes reports/tests/junit.xml).")
    coverage = root / "reports" / "tests" / "coverage.xml"
    if coverage.exists():
        rate = float(ET.parse(coverage).getroot().get("line-rate", 0))  # noqa: S314  # nosec B314 - our own pytest output
        lines.append(f"Line coverage: {rate:.1%}.")
    else:
        lines.append("Coverage: not measured in this checkout.")
    count = sum(
        len(re.findall(r"^\s*(?:async )?def test_", path.read_text(errors="replace"), flags=re.M))
        for path in (root / "tests").rglob("test_*.py")
    )
    lines.append(f"Test functions in the tree: {count}.")
    return lines


def render(root: Path = ROOT, env: Mapping[str, str] = os.environ) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    alertmanager = env.get("ALERTMANAGER_URL", "http://127.0.0.1:9093")
    parts = [
        "# Status snapshot",
        "",
        f"Generated {now} by `scripts/generate-status-summary.sh` on branch "
        f"`{_git('rev-parse', '--abbrev-ref', 'HEAD')}` at `{_git('rev-parse', '--short', 'HEAD')}` "
        f"({_git('log', '-1', '--format=%s')}).",
        "Generated file: do not edit by hand.",
        "",
        "## Deployed per stage",
        "",
        *deployments(root),
        "",
        "## Open alerts",
        "",
        *open_alerts(alertmanager),
        "",
        "## Last gate results",
        "",
        *gate_results(root),
        "",
        "## Tests and coverage",
        "",
        *tests_and_coverage(root),
        "",
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("write", "brief"))
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--out", type=Path, default=SNAPSHOT)
    args = parser.parse_args(argv)
    if args.command == "write":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render())
        if not args.quiet:
            print(f"wrote {args.out}")
        return 0
    if not args.out.exists():
        print("no status snapshot yet: scripts/generate-status-summary.sh")
        return 1
    text = args.out.read_text()
    keep = [line for line in text.splitlines() if line.startswith(("|", "#", "- **", "None", "Last", "No ", "Line"))]
    keep = [line for line in keep if not line.startswith("| ---")]
    print("\n".join(keep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
