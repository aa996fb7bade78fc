"""Security gate: bandit, a secret scan of the tree, cdk-nag at synth, and pip-audit where it can audit.

    python -m scripts.ops.security fast   # make security-fast -> .playbook/security_report.json
    python -m scripts.ops.security scan   # make security-scan -> also reports/security/security-report.{json,md}

Each check ends PASS, FAIL or SKIPPED (with the reason). The gate is FAIL when any check fails, WARN when a
check was skipped (a check that could not run has not passed), PASS otherwise; the exit code is 1 on FAIL
only, so SECURITY_GATE=WARN reaches the preflight, which decides per mode what a skipped check means.

pip-audit: where PyPI's JSON API (its vulnerability source) answers 404, pip-audit prints "No known
vulnerabilities found" and exits 0 while auditing nothing. The gate probes the source first and then reads
pip-audit's per-dependency skip reasons, so that case is SKIPPED, never PASS.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
REPORT_FILE = ROOT / ".playbook" / "security_report.json"
FULL_REPORT_DIR = ROOT / "reports" / "security"
Status = Literal["PASS", "FAIL", "SKIPPED"]

# What ships to Lambda is gated at MEDIUM severity; operator and developer scripts (never deployed, and
# including the fakes of Meta and QloApps) at HIGH. Everything is reported.
SHIPPED = ("functions", "layers/common/hotel_common", "infra")
SCRIPTS = ("scripts",)


@dataclass
class Check:
    name: str
    status: Status
    summary: str
    findings: list[dict[str, Any]] = field(default_factory=list)


# -- bandit -------------------------------------------------------------------------------------------

_RANK = {"UNDEFINED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


def _bandit(paths: Iterable[str], root: Path) -> list[dict[str, Any]]:
    binary = shutil.which("bandit", path=str(Path(sys.executable).parent)) or shutil.which("bandit")
    if binary is None:
        raise FileNotFoundError("bandit")
    existing = [p for p in paths if (root / p).exists()]
    done = subprocess.run(
        [binary, "-r", *existing, "-q", "-f", "json", "-x", "*/tests/*,*/node_modules/*"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr.strip()[-500:])
    return list(json.loads(done.stdout)["results"])


def bandit_check(root: Path = ROOT, *, full: bool = False) -> Check:
    try:
        shipped = _bandit(SHIPPED, root)
        scripts = _bandit(SCRIPTS, root)
    except FileNotFoundError:
        return Check("bandit", "SKIPPED", "bandit not installed (it is a pinned dev dependency: make install)")
    except (RuntimeError, ValueError) as exc:
        return Check("bandit", "FAIL", f"bandit did not run: {exc}")

    def blocking(result: Mapping[str, Any], minimum: str) -> bool:
        return (
            _RANK[result["issue_severity"]] >= _RANK[minimum] and _RANK[result["issue_confidence"]] >= _RANK["MEDIUM"]
        )

    findings = []
    for results, minimum in ((shipped, "MEDIUM"), (scripts, "HIGH")):
        for r in results:
            finding = {
                "file": r["filename"],
                "line": r["line_number"],
                "test": r["test_id"],
                "severity": r["issue_severity"],
                "confidence": r["issue_confidence"],
                "text": r["issue_text"],
                "blocking": blocking(r, minimum),
            }
            if full or finding["blocking"] or r["issue_severity"] != "LOW":
                findings.append(finding)
    count = Counter(r["issue_severity"] for r in shipped + scripts)
    blockers = [f for f in findings if f["blocking"]]
    summary = (
        f"{len(blockers)} blocking; all findings by severity: "
        + ", ".join(f"{k.lower()} {v}" for k, v in sorted(count.items()))
        + " (gate: medium+ in functions/layers/infra, high in scripts)"
    )
    return Check("bandit", "FAIL" if blockers else "PASS", summary, findings)


# -- secret scan --------------------------------------------------------------------------------------

SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws_access_key_id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    (
        "aws_secret_access_key",
        re.compile(r"(?i)aws.{0,20}?(?:secret|private).{0,20}?['\"=:\s]+([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
    ),
    ("private_key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY( BLOCK)?-----")),
    ("slack_webhook", re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}")),
    ("slack_token", re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("stripe_live_key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{20,}\b")),
    ("meta_access_token", re.compile(r"\bEAA[A-Za-z0-9]{60,}\b")),
    (
        "assigned_secret",
        re.compile(
            r"(?i)\b[A-Z0-9_]*(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Z0-9_]*"
            r"\s*[:=]\s*[\"']([^\"'\s$<>{}]{12,})[\"']"
        ),
    ),
)

# Local dummy defaults: what the local stack, the fakes and the tests use on purpose. Production refuses
# these (hotel_common.config.is_dummy_secret), so they cannot leak into a deployed stage as real secrets.
_DUMMY_PREFIXES = ("local-", "testing", "test-", "dummy", "example", "fake", "changeme", "e2e-", "graph-test", "x" * 8)
_DUMMY_MARKERS = ("example", "dummy", "placeholder", "not-a-real", "fake", "redacted", "xxxxxxxx")
_ALLOW_COMMENT = "secret-scan: allow"
_NAME = re.compile(r"^(?:[A-Z][A-Z0-9_]*|[a-z][a-z0-9_]*)$")  # CONSTANT_CASE or snake_case: a name
_PHRASE = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$")
_SKIP_DIRS = {".git", ".venv", "node_modules", "cdk.out", ".local", "reports", "__pycache__", ".mypy_cache"}
_SKIP_SUFFIXES = {".png", ".jpg", ".gif", ".ico", ".zip", ".gz", ".whl", ".pyc", ".lock", ".sqlite"}


def demo_keys(root: Path = ROOT) -> set[str]:
    """The fake QloApps webservice keys, read from the fake itself so a new demo key needs no allow-list edit."""
    source = (
        (root / "scripts" / "fakes" / "qloapps.py").read_text() if (root / "scripts/fakes/qloapps.py").exists() else ""
    )
    return set(re.findall(r"\"([A-Z0-9]{24,})\"", source))


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())


def is_allowed(value: str, allowed: set[str]) -> bool:
    lowered = value.lower()
    return (
        value in allowed
        or lowered.startswith(_DUMMY_PREFIXES)
        or any(marker in lowered for marker in _DUMMY_MARKERS)
        or "AKIAIOSFODNN7EXAMPLE" in value  # AWS's documented example key
    )


def tracked_files(root: Path) -> list[Path]:
    try:
        done = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"], cwd=root, capture_output=True, text=True, check=True
        )
        names = done.stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    files = []
    for name in names:
        path = root / name
        parts = set(Path(name).parts)
        if parts & _SKIP_DIRS or path.suffix in _SKIP_SUFFIXES or not path.is_file():
            continue
        files.append(path)
    return files


def scan_text(text: str, allowed: set[str]) -> list[tuple[int, str, str]]:
    """(line number, rule, redacted value) for each real-looking secret."""
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _ALLOW_COMMENT in line:
            continue
        for rule, pattern in SECRET_PATTERNS:
            for match in pattern.finditer(line):
                value = match.group(match.lastindex or 0) if match.lastindex else match.group(0)
                if is_allowed(value, allowed):
                    continue
                if rule == "assigned_secret" and (
                    shannon_entropy(value) < 3.5 or _NAME.match(value) or _PHRASE.match(value)
                ):
                    continue  # low entropy, names and kebab-case phrases (test values, hints), not keys
                hits.append((number, rule, value[:4] + "…" + f"({len(value)} chars)"))
    return hits


def secret_check(root: Path = ROOT) -> Check:
    allowed = demo_keys(root)
    findings = []
    files = tracked_files(root)
    for path in files:
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        for line, rule, redacted in scan_text(text, allowed):
            findings.append({"file": str(path.relative_to(root)), "line": line, "rule": rule, "value": redacted})
    summary = f"{len(findings)} real-looking secret(s) in {len(files)} files (local dummies and demo keys allowed)"
    return Check("secret_scan", "FAIL" if findings else "PASS", summary, findings)


# -- cdk-nag ------------------------------------------------------------------------------------------


def nag_check(stages: tuple[str, ...] = ("dev",)) -> Check:
    """cdk-nag runs as a validation plugin at synth (infra/cdk/nag.py); a synth without bundling is enough."""
    findings: list[dict[str, Any]] = []
    for stage in stages:
        with tempfile.TemporaryDirectory(prefix=f"nag-{stage}-") as out:
            code = (
                "import aws_cdk as cdk, sys\n"
                "from infra.cdk.app import build\n"
                f"app = cdk.App(context={{'stage': {stage!r}, 'bundle': 'false'}}, outdir={out!r})\n"
                "build(app)\n"
                "app.synth()\n"
            )
            env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
            try:
                done = subprocess.run(
                    [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return Check("cdk_nag", "SKIPPED", f"synth could not run: {exc}")
            if "No module named 'aws_cdk'" in done.stderr or shutil.which("node") is None:
                return Check("cdk_nag", "SKIPPED", "aws-cdk-lib or node missing: cdk-nag cannot synthesize here")
            report_path = Path(out) / "validation-report.json"
            report = json.loads(report_path.read_text()) if report_path.exists() else {"pluginReports": []}
            for plugin in report["pluginReports"]:
                for violation in plugin["violations"]:
                    findings.append(
                        {
                            "stage": stage,
                            "rule": violation["ruleName"],
                            "severity": violation.get("severity"),
                            "constructs": [c.get("constructPath") for c in violation.get("violatingConstructs", [])],
                        }
                    )
            if done.returncode != 0 and not findings:
                return Check("cdk_nag", "FAIL", f"synth of {stage} failed: {done.stderr.strip()[-400:]}")
    errors = [f for f in findings if f["severity"] == "error"]
    summary = f"{len(errors)} unacknowledged error(s), {len(findings) - len(errors)} warning(s) in {', '.join(stages)}"
    return Check("cdk_nag", "FAIL" if errors else "PASS", summary, findings)


# -- pip-audit ----------------------------------------------------------------------------------------


def locked_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The exact pins of pyproject.toml (runtime and dev): what `make install` installs."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return [r for r in requirements if "==" in r]


def vulnerability_source_reachable(
    requirement: str | None = None, get: Callable[[str], int] | None = None
) -> tuple[bool, str]:
    """pip-audit looks each pin up at PyPI's JSON API (`/pypi/<name>/<version>/json`); a mirror that serves
    only the simple index answers 404 there (while `/pypi/<name>/json` may still answer 200)."""
    name, version = (requirement or locked_requirements()[0]).split("==")
    url = f"https://pypi.org/pypi/{name.split('[')[0]}/{version}/json"
    if get is None:
        import httpx

        def get(address: str) -> int:
            return httpx.get(address, timeout=10, follow_redirects=True).status_code

    try:
        status = get(url)
    except Exception as exc:
        return False, f"{url} unreachable ({type(exc).__name__})"
    return (status == 200, f"{url} answered {status}")


def interpret_pip_audit(output: str, returncode: int, expected: int) -> Check:
    """pip-audit's JSON: audited only when every dependency was looked up (no skip_reason)."""
    try:
        data = json.loads(output)
    except ValueError:
        return Check("pip_audit", "SKIPPED", f"pip-audit gave no JSON (exit {returncode}): nothing audited")
    deps = data.get("dependencies", data if isinstance(data, list) else [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [
        {"name": d["name"], "version": d.get("version"), "ids": [v["id"] for v in d.get("vulns", [])]}
        for d in audited
        if d.get("vulns")
    ]
    if vulnerable:
        return Check("pip_audit", "FAIL", f"{len(vulnerable)} vulnerable package(s)", vulnerable)
    if not audited or skipped or len(audited) < expected:
        reason = skipped[0]["skip_reason"] if skipped else "no dependency audited"
        return Check(
            "pip_audit",
            "SKIPPED",
            f"{len(skipped)} of {len(deps)} dependencies could not be audited ({reason}); "
            "a 'No known vulnerabilities found' here would be a false pass",
            [{"name": d["name"], "skip_reason": d["skip_reason"]} for d in skipped[:20]],
        )
    return Check("pip_audit", "PASS", f"{len(audited)} pinned dependencies audited, no known vulnerability")


def pip_audit_check(reachable: tuple[bool, str] | None = None) -> Check:
    ok, why = reachable or vulnerability_source_reachable()
    if not ok:
        return Check("pip_audit", "SKIPPED", f"vulnerability source not reachable: {why}; audit not run")
    binary = (
        os.environ.get("PIP_AUDIT")
        or shutil.which("pip-audit", path=str(Path(sys.executable).parent))
        or shutil.which("pip-audit")
    )
    if binary is None:
        return Check("pip_audit", "SKIPPED", "pip-audit not installed (pip install pip-audit); audit not run")
    requirements = locked_requirements()
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
        handle.write("\n".join(requirements) + "\n")
        handle.flush()
        done = subprocess.run(
            [binary, "-r", handle.name, "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    return interpret_pip_audit(done.stdout, done.returncode, expected=len(requirements))


# -- the gate -----------------------------------------------------------------------------------------


def gate(checks: list[Check]) -> Literal["PASS", "WARN", "FAIL"]:
    if any(c.status == "FAIL" for c in checks):
        return "FAIL"
    return "WARN" if any(c.status == "SKIPPED" for c in checks) else "PASS"


def write_reports(checks: list[Check], mode: str, report_file: Path, full_dir: Path | None) -> dict[str, Any]:
    report = {
        "status": gate(checks),
        "mode": mode,
        "checks": [asdict(c) for c in checks],
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    summary = {**report, "checks": [{k: v for k, v in asdict(c).items() if k != "findings"} for c in checks]}
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(json.dumps(summary, indent=2) + "\n")
    if full_dir is not None:
        full_dir.mkdir(parents=True, exist_ok=True)
        (full_dir / "security-report.json").write_text(json.dumps(report, indent=2) + "\n")
        lines = [f"# Security report ({report['generated_at']})", "", f"Gate: **{report['status']}**", ""]
        for c in checks:
            lines += [f"## {c.name}: {c.status}", "", c.summary, ""]
            lines += [f"- `{json.dumps(f, sort_keys=True)}`" for f in c.findings]
            lines.append("")
        (full_dir / "security-report.md").write_text("\n".join(lines))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("fast", "scan"))
    parser.add_argument("--report", type=Path, default=REPORT_FILE)
    args = parser.parse_args(argv)
    full = args.mode == "scan"
    checks = [
        bandit_check(full=full),
        secret_check(),
        nag_check(("dev", "staging", "prod") if full else ("dev",)),
        pip_audit_check(),
    ]
    report = write_reports(checks, args.mode, args.report, FULL_REPORT_DIR if full else None)
    for c in checks:
        print(f"  {c.status:<7} {c.name:<12} {c.summary}")
        for finding in c.findings if c.status == "FAIL" else []:
            print(f"           {json.dumps(finding)}")
    print(f"security gate: {report['status']} -> {args.report}" + (f", {FULL_REPORT_DIR}/" if full else ""))
    print(f"SECURITY_GATE={report['status']}")
    return 1 if report["status"] == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
