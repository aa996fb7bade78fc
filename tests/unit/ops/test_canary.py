"""Canary: configuration errors, the PromQL it sends, the decision, and the Lambda alias (moto)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from scripts.ops import canary
from scripts.ops.canary import Alias, CanaryConfig, ConfigError, Limits, Side, evaluate, queries
from scripts.ops.prom import Prometheus, amp_region

LIMITS = Limits()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BASELINE_RANGE": "5 minutes"}, "not a PromQL range"),
        ({"CANARY_RANGE": "0m"}, "not a PromQL range"),
        ({"P95_INCREASE_LIMIT": "abc"}, "not a number"),
        ({"ERR_ABS_MIN": "-0.1"}, "positive"),
        ({"ERR_INCREASE_LIMIT": "0.9"}, "at least 1.0"),
        ({"BASELINE_VERSION": "3"}, "both BASELINE_VERSION and CANARY_VERSION"),
        ({"BASELINE_VERSION": "3", "CANARY_VERSION": '4"} or vector(1) #'}, "only letters"),
    ],
)
def test_configuration_errors_are_clear(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CanaryConfig.from_env(env)


def test_defaults_are_the_original_limits() -> None:
    config = CanaryConfig.from_env({})
    assert config.limits == Limits(1.10, 1.50, 0.005)
    assert config.split == "time" and config.prometheus_url == "http://127.0.0.1:9090"


def test_label_split_selects_each_version_and_time_split_offsets_the_baseline() -> None:
    by_label = CanaryConfig.from_env({"STAGE": "prod", "BASELINE_VERSION": "7", "CANARY_VERSION": "8"})
    assert 'function_version="7"' in queries(by_label, "baseline")["p95_seconds"]
    assert 'function_version="8"' in queries(by_label, "canary")["error_rate"]
    by_time = CanaryConfig.from_env({"STAGE": "prod", "BASELINE_RANGE": "30m", "CANARY_RANGE": "10m"})
    assert "[30m] offset 10m" in queries(by_time, "baseline")["p95_seconds"]
    assert "offset" not in queries(by_time, "canary")["p95_seconds"]
    assert 'stage="prod"' in queries(by_time, "canary")["requests_per_second"]


@pytest.mark.parametrize(
    ("baseline", "canary_side", "reasons"),
    [
        (Side(0.20, 0.002, 10), Side(0.22, 0.002, 1), []),  # exactly +10%: allowed
        (Side(0.20, 0.002, 10), Side(0.2201, 0.002, 1), ["p95_delta_exceeded"]),
        (Side(0.20, 0.010, 10), Side(0.20, 0.015, 1), []),  # exactly x1.5
        (Side(0.20, 0.010, 10), Side(0.20, 0.016, 1), ["error_rate_delta_exceeded"]),
        (Side(0.20, 0.000, 10), Side(0.20, 0.004, 1), []),  # under the 0.5% floor
        (Side(0.20, 0.000, 10), Side(0.20, 0.006, 1), ["error_rate_delta_exceeded"]),
        (Side(0.20, 0.0, 10), Side(None, None, None), ["canary_no_traffic"]),
        (Side(None, None, 0), Side(0.2, 0.0, 1), ["baseline_no_traffic"]),
    ],
)
def test_decision_rules(baseline: Side, canary_side: Side, reasons: list[str]) -> None:
    assert evaluate(baseline, canary_side, LIMITS) == reasons


def test_amp_urls_are_signed_with_sigv4() -> None:
    url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-123"
    assert amp_region(url) == "eu-west-1" and amp_region("http://127.0.0.1:9090") is None
    headers = Prometheus(url)._headers(url + "/api/v1/query?query=up")
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert "/eu-west-1/aps/aws4_request" in headers["Authorization"]
    assert Prometheus("http://127.0.0.1:9090")._headers("http://127.0.0.1:9090/api/v1/query") == {}


@pytest.fixture
def lambda_alias(monkeypatch: pytest.MonkeyPatch) -> Iterator[Alias]:
    """A function with versions 1 (primary of `live`) and 2, in moto."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("h.py", "def handler(event, context):\n    return 1\n")
        client = boto3.client("lambda")
        name = canary.function_name("dev", "webhook")
        client.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="h.handler", Code={"ZipFile": code.getvalue()}
        )
        client.publish_version(FunctionName=name)
        client.update_function_code(FunctionName=name, ZipFile=code.getvalue())
        client.publish_version(FunctionName=name)
        client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        yield Alias(client, name)


def test_shift_rollback_and_promote_the_alias(lambda_alias: Alias) -> None:
    assert lambda_alias.function_name == "agente-hotel-dev-webhook"
    assert lambda_alias.resolve("latest") == "2"
    assert lambda_alias.shift("2", 0.1, max_weight=0.5) == {"primary": "1", "weights": {"2": 0.1}}
    assert lambda_alias.rollback() == {"primary": "1", "weights": {}}
    assert lambda_alias.promote("2") == {"primary": "2", "weights": {}}


def test_shift_respects_the_guardrail_and_refuses_the_primary(lambda_alias: Alias) -> None:
    with pytest.raises(ConfigError, match="CANARY_MAX_WEIGHT"):
        lambda_alias.shift("2", 0.8, max_weight=0.5)
    with pytest.raises(ConfigError, match="already the alias's primary"):
        lambda_alias.shift("1", 0.1, max_weight=0.5)


class StubPrometheus(Prometheus):
    """Answers from a table keyed by version label: enough to drive `deploy` without a server."""

    def __init__(self, values: dict[str, dict[str, float]]) -> None:
        super().__init__("http://stub")
        self.values = values

    def query(self, promql: str, at: float | None = None) -> float | None:
        version = "2" if 'function_version="2"' in promql else "1"
        kind = "p95" if "histogram_quantile" in promql else "err" if "5.." in promql else "rps"
        return self.values[version][kind]


def _deploy(alias: Alias, prometheus: Prometheus, tmp_path: Path, promote: bool = True) -> dict[str, Any]:
    return canary.deploy(
        alias,
        CanaryConfig.from_env({"STAGE": "dev"}),
        prometheus,
        version="latest",
        weight=0.1,
        max_weight=0.5,
        observe_seconds=300,
        promote=promote,
        sleep=lambda seconds: None,
        report_path=tmp_path / "canary_diff_report.json",
    )


def test_deploy_rolls_back_automatically_on_fail(lambda_alias: Alias, tmp_path: Path) -> None:
    bad = StubPrometheus({"1": {"p95": 0.2, "err": 0.001, "rps": 10}, "2": {"p95": 0.9, "err": 0.2, "rps": 1}})
    report = _deploy(lambda_alias, bad, tmp_path)
    assert report["status"] == "FAIL" and report["action"] == "rolled_back"
    assert lambda_alias.get() == {"primary": "1", "weights": {}}
    written = json.loads((tmp_path / "canary_diff_report.json").read_text())
    assert written["action"] == "rolled_back" and written["split"] == "label" and written["version"] == "2"


def test_deploy_promotes_on_pass_or_keeps_the_weight(lambda_alias: Alias, tmp_path: Path) -> None:
    good = StubPrometheus({"1": {"p95": 0.2, "err": 0.001, "rps": 10}, "2": {"p95": 0.2, "err": 0.001, "rps": 1}})
    assert _deploy(lambda_alias, good, tmp_path, promote=False)["action"] == "kept_at_weight"
    assert lambda_alias.get() == {"primary": "1", "weights": {"2": 0.1}}
    lambda_alias.rollback()
    assert _deploy(lambda_alias, good, tmp_path)["action"] == "promoted"
    assert lambda_alias.get() == {"primary": "2", "weights": {}}
