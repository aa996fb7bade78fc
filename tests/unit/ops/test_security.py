"""Security gate: the secret scan, bandit's gating, pip-audit's false pass detected as SKIPPED, the verdict,
and production's refusal of the local dummy secrets that the scan allows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from hotel_common import config as settings_module
from scripts.ops import security
from scripts.ops.security import Check, demo_keys, gate, interpret_pip_audit, scan_text

# Real-looking values are assembled at run time so that this file itself stays clean for the scan.
AWS_KEY_ID = "AKIA" + "Q3ZK7LMN2PRS5TUV"
SLACK_HOOK = "https://hooks.slack.com/services/" + "T0ABCDEF1/B0ABCDEF2/" + "a8Kd9sL2mQ7wE4rT6yU1iO3p"
RANDOM_SECRET = "Zq8" + "vN3xR7tLp2Wc9YbK4mHs"
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE KEY-----"


def _rules(text: str) -> list[str]:
    return [rule for _, rule, _ in scan_text(text, demo_keys())]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (f'key = "{AWS_KEY_ID}"', "aws_access_key_id"),
        (f"SLACK_WEBHOOK={SLACK_HOOK}", "slack_webhook"),
        (f'WHATSAPP_APP_SECRET = "{RANDOM_SECRET}"', "assigned_secret"),
        (PRIVATE_KEY, "private_key"),
        ("token: ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "github_token"),
    ],
)
def test_real_looking_secrets_are_reported(line: str, rule: str) -> None:
    assert rule in _rules(line)


def test_findings_are_redacted() -> None:
    [(line, _, shown)] = scan_text(f'\n\napi_key = "{RANDOM_SECRET}"', set())
    assert line == 3 and RANDOM_SECRET not in shown and shown.startswith("Zq8v…")


@pytest.mark.parametrize(
    "line",
    [
        'WHATSAPP_APP_SECRET: SecretStr = SecretStr("local-app-secret")',
        'aws_secret_access_key="testing"',
        'SECRET_KEY = "dummy-secret-value-1234"',
        'APP_SECRET = "e2e-app-secret"',
        'SecretString="from-secrets-manager-42"',
        '"hotel-sol": "SOLDEMAYO2025DEMOWEBSERVICEKEY01",',  # the fake QloApps demo keys
        f'ADMIN_TOKEN = "{RANDOM_SECRET}"  # secret-scan: allow (documented test vector)',
        'PASSWORD_ENV_NAME = "SMTP_PASSWORD_FROM_SECRETS"',
    ],
)
def test_local_dummies_demo_keys_and_names_are_allowed(line: str) -> None:
    assert _rules(line) == []


def test_the_demo_keys_come_from_the_fake_itself() -> None:
    from scripts.fakes.qloapps import DEMO_KEYS, INACTIVE_KEY

    assert set(DEMO_KEYS.values()) | {INACTIVE_KEY} <= demo_keys()


def test_secret_check_reports_a_committed_key(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "clean.py").write_text('TOKEN = "local-token"\n')
    (tmp_path / "leak.env").write_text(f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n")
    check = security.secret_check(tmp_path)
    assert check.status == "FAIL"
    assert [(f["file"], f["line"], f["rule"]) for f in check.findings] == [("leak.env", 1, "aws_access_key_id")]


def test_the_tree_has_no_real_looking_secret() -> None:
    check = security.secret_check()
    assert check.status == "PASS", check.findings


def test_bandit_gates_shipped_code_at_medium(tmp_path: Path) -> None:
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "bad.py").write_text("import yaml\n\ndef load(s):\n    return yaml.load(s)\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "tool.py").write_text("import yaml\n\ndef load(s):\n    return yaml.load(s)\n")
    check = security.bandit_check(tmp_path)
    assert check.status == "FAIL"
    blocking = {(Path(f["file"]).parts[0], f["test"]) for f in check.findings if f["blocking"]}
    assert blocking == {("functions", "B506")}, check.findings  # the same finding in scripts/ only reports


# pip-audit 2.10.1's real output here: PyPI's JSON API answers 404, every pin is skipped, exit 0 and
# "No known vulnerabilities found" on the console.
FALSE_PASS = json.dumps(
    {
        "dependencies": [
            {"name": "boto3", "skip_reason": "Dependency not found on PyPI and could not be audited: boto3 (1.44.5)"},
            {"name": "httpx", "skip_reason": "Dependency not found on PyPI and could not be audited: httpx (0.28.1)"},
        ],
        "fixes": [],
    }
)


def test_pip_audit_auditing_nothing_is_skipped_not_passed() -> None:
    check = interpret_pip_audit(FALSE_PASS, returncode=0, expected=2)
    assert check.status == "SKIPPED" and "false pass" in check.summary
    assert check.findings[0]["name"] == "boto3"


def test_pip_audit_results_when_it_could_audit() -> None:
    clean = {"dependencies": [{"name": "httpx", "version": "0.28.1", "vulns": []}], "fixes": []}
    assert interpret_pip_audit(json.dumps(clean), 0, expected=1).status == "PASS"
    vulnerable = {
        "dependencies": [{"name": "httpx", "version": "0.1", "vulns": [{"id": "PYSEC-1", "fix_versions": []}]}]
    }
    check = interpret_pip_audit(json.dumps(vulnerable), 1, expected=1)
    assert check.status == "FAIL" and check.findings == [{"name": "httpx", "version": "0.1", "ids": ["PYSEC-1"]}]
    assert interpret_pip_audit("", 1, expected=1).status == "SKIPPED"
    assert interpret_pip_audit(json.dumps(clean), 0, expected=5).status == "SKIPPED"  # pins missing from the audit


def test_unreachable_source_skips_the_audit_without_running_it() -> None:
    seen: list[str] = []

    def answer_404(url: str) -> int:
        seen.append(url)
        return 404

    ok, why = security.vulnerability_source_reachable("boto3==1.44.5", get=answer_404)
    assert not ok and seen == ["https://pypi.org/pypi/boto3/1.44.5/json"] and "404" in why
    assert security.pip_audit_check((ok, why)).status == "SKIPPED"


def test_locked_requirements_are_the_exact_pins() -> None:
    pins = security.locked_requirements()
    assert "boto3==1.44.5" in pins and all("==" in p for p in pins)


@pytest.mark.parametrize(
    ("statuses", "verdict"),
    [(["PASS", "PASS"], "PASS"), (["PASS", "SKIPPED"], "WARN"), (["SKIPPED", "FAIL"], "FAIL")],
)
def test_a_skipped_check_is_never_a_pass(statuses: list[str], verdict: str) -> None:
    assert gate([Check(f"c{i}", s, "") for i, s in enumerate(statuses)]) == verdict  # type: ignore[arg-type]


def _settings_classes() -> list[type]:
    found, todo = [], [settings_module.CommonSettings]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return sorted(set(found), key=lambda c: c.__name__)


@pytest.mark.parametrize("settings_class", _settings_classes(), ids=lambda c: c.__name__)
def test_production_refuses_the_local_dummy_defaults(settings_class: type, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the secret scan allows as local dummies can never run in production."""
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="production refuses dummy values"):
        settings_class()


@pytest.mark.parametrize("value", ["local-app-secret", "dummy-token", "test-key", "changeme", ""])
def test_allowed_dummies_are_dummies_for_production(value: str) -> None:
    assert settings_module.is_dummy_secret(value)
