"""The Alertmanager configuration for every combination of receivers, checked by the real amtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.observability import alertmanager, render

SLACK = {"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/XXXX"}
EMAIL = {
    "ALERT_EMAIL_TO": "ops@example.com",
    "ALERT_EMAIL_FROM": "alerts@example.com",
    "SMTP_HOST": "smtp.example.com",
    "SMTP_PORT": "465",
    "SMTP_USER": "alerts@example.com",
    "SMTP_PASSWORD": "app-password",
}
COMBINATIONS = {
    "none": ({}, {}),
    "slack": (SLACK, {"critical": "slack"}),
    "email": (EMAIL, {"warning": "email"}),
    "both": ({**SLACK, **EMAIL}, {"critical": "slack", "warning": "email"}),
}


def _amtool_check(path: Path) -> str:
    done = subprocess.run(
        ["amtool", "check-config", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"amtool check-config {path}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _routes(config: dict) -> dict[str, str]:
    return {r["matchers"][0].split('"')[1]: r["receiver"] for r in config["route"].get("routes", [])}


@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_config_is_valid_and_routes_by_severity(out_dir: Path, combination: str) -> None:
    env, expected_routes = COMBINATIONS[combination]
    paths = render.render_all(out_dir, env)
    _amtool_check(paths["alertmanager"])
    config = yaml.safe_load(paths["alertmanager"].read_text())
    assert config["route"]["receiver"] == "null"
    assert _routes(config) == expected_routes
    assert {r["name"] for r in config["receivers"]} == {"null", *expected_routes.values()}
    if "email" in expected_routes.values():
        assert config["global"]["smtp_smarthost"] == "smtp.example.com:465"
        assert config["global"]["smtp_auth_password"] == "app-password"
    # Routing as Alertmanager itself resolves it.
    for severity, receiver in {"critical": "null", "warning": "null", **expected_routes}.items():
        done = subprocess.run(
            [
                "amtool",
                "config",
                "routes",
                "test",
                f"--config.file={paths['alertmanager']}",
                f"severity={severity}",
                "alertname=X",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.stdout.strip() == receiver, done.stdout + done.stderr


def test_email_needs_a_recipient_and_a_host() -> None:
    assert not alertmanager.email_enabled({"ALERT_EMAIL_TO": "ops@example.com"})
    assert not alertmanager.email_enabled({"SMTP_HOST": "smtp.example.com"})
    config = alertmanager.alertmanager_config({"ALERT_EMAIL_TO": "ops@example.com", "SMTP_HOST": "smtp"})
    assert config["global"]["smtp_smarthost"] == "smtp:587"
    assert "smtp_auth_username" not in config["global"]


@pytest.mark.parametrize(
    "sns", [{}, {"ALERT_SNS_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:alerts", "AWS_REGION": "eu-west-1"}]
)
@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_amp_definition_is_wrapped_and_valid(out_dir: Path, combination: str, sns: dict[str, str]) -> None:
    paths = render.render_all(out_dir, {**COMBINATIONS[combination][0], **sns})
    definition = paths["alertmanager_amp"].read_text()
    assert definition.startswith("alertmanager_config: |\n")
    inner = out_dir / "amp-inner.yml"
    inner.write_text(alertmanager.unwrap_amp_definition(definition))
    _amtool_check(inner)
    config = yaml.safe_load(inner.read_text())
    # AMP accepts SNS receivers only.
    for receiver in config["receivers"]:
        assert set(receiver) <= {"name", "sns_configs"}
    assert _routes(config) == ({"critical": "sns", "warning": "sns"} if sns else {})
