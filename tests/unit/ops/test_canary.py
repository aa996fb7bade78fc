"""Canary: configuration errors, the PromQL it sends, the decision, and the Lambda alias (moto)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
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


def _deploy(
    alias: Alias, prometheus: Prometheus, tmp_path: Path, promote: bool = True, followers: Sequence[Alias] = ()
) -> dict[str, Any]:
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
        followers=followers,
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


# -- pins for `make deploy CANARY=1`, and a canary that moves every function ------------------------------


class FakeLambda:
    """The one call `pins` makes (GetAlias), over a table of aliases: physical name -> (primary, weights)."""

    def __init__(self, aliases: dict[str, tuple[str, dict[str, float]]]) -> None:
        self.aliases = aliases

    def get_alias(self, FunctionName: str, Name: str) -> dict[str, Any]:  # boto3 keyword names
        if FunctionName not in self.aliases or Name != "live":
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no alias"}}, "GetAlias")
        primary, weights = self.aliases[FunctionName]
        routing = {"RoutingConfig": {"AdditionalVersionWeights": weights}} if weights else {}
        return {"FunctionVersion": primary, **routing}


def test_pins_are_each_deployed_functions_live_primary() -> None:
    client = FakeLambda({"agente-hotel-prod-webhook": ("7", {}), "agente-hotel-prod-orchestrator": ("3", {})})
    # Functions without the alias yet (first deploy, a new function) are left to follow the new version.
    assert canary.pins(client, "prod") == {"webhook": "7", "orchestrator": "3"}
    assert canary.pins(FakeLambda({}), "prod") == {}


@pytest.mark.parametrize(
    ("alias", "message"),
    [(("7", {"8": 0.1}), "canary in flight"), (("$LATEST", {}), "not a published version")],
)
def test_pins_refuse_a_canary_in_flight_or_an_unpublished_primary(
    alias: tuple[str, dict[str, float]], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        canary.pins(FakeLambda({"agente-hotel-prod-webhook": alias}), "prod")


def test_pins_command_prints_only_the_json_make_passes_to_cdk(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = FakeLambda({"agente-hotel-prod-webhook": ("7", {}), "agente-hotel-prod-normalizer": ("12", {})})
    monkeypatch.setattr(canary, "_lambda_client", lambda: client)
    assert canary.main(["pins", "--stage", "prod"], env={}) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"normalizer": "12", "webhook": "7"}
    assert out == '{"normalizer":"12","webhook":"7"}\n', "one line without spaces: one shell word for -c"
    client.aliases["agente-hotel-prod-webhook"] = ("7", {"8": 0.1})
    assert canary.main(["pins", "--stage", "prod"], env={}) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "canary in flight" in captured.err


@pytest.fixture
def stage_functions(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """dev's webhook and normalizer with versions 1 (primary of `live`) and 2, and health with version 1
    only (the deploy published nothing new for it), in moto."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client = boto3.client("lambda")
        for logical, versions in (("webhook", 2), ("normalizer", 2), ("health", 1)):
            name = canary.function_name("dev", logical)
            code = io.BytesIO()
            with zipfile.ZipFile(code, "w") as archive:
                archive.writestr("h.py", "def handler(event, context):\n    return 1\n")
            client.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler="h.handler",
                Code={"ZipFile": code.getvalue()},
            )
            for _ in range(versions):
                client.publish_version(FunctionName=name)
                client.update_function_code(FunctionName=name, ZipFile=code.getvalue())
            client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        yield client


def _states(client: Any) -> dict[str, dict[str, Any]]:
    return {
        logical: Alias(client, canary.function_name("dev", logical)).get()
        for logical in ("webhook", "normalizer", "health")
    }


def _deploy_all(client: Any, prometheus: Prometheus, tmp_path: Path, promote: bool = True) -> dict[str, Any]:
    webhook = Alias(client, canary.function_name("dev", "webhook"))
    return _deploy(webhook, prometheus, tmp_path, promote, canary.stage_aliases(client, "dev", except_="webhook"))


GOOD = {"1": {"p95": 0.2, "err": 0.001, "rps": 10}, "2": {"p95": 0.2, "err": 0.001, "rps": 1}}
BAD = {"1": {"p95": 0.2, "err": 0.001, "rps": 10}, "2": {"p95": 0.9, "err": 0.2, "rps": 1}}


def test_canary_deploy_moves_every_function_the_deploy_published(stage_functions: Any, tmp_path: Path) -> None:
    report = _deploy_all(stage_functions, StubPrometheus(GOOD), tmp_path, promote=False)
    assert report["action"] == "kept_at_weight"
    assert _states(stage_functions) == {
        "webhook": {"primary": "1", "weights": {"2": 0.1}},
        "normalizer": {"primary": "1", "weights": {"2": 0.1}},
        "health": {"primary": "1", "weights": {}},  # nothing new published: untouched
    }
    canary.rollback_all(canary.stage_aliases(stage_functions, "dev"))
    report = _deploy_all(stage_functions, StubPrometheus(GOOD), tmp_path)
    assert report["action"] == "promoted" and set(report["others"]) == {"agente-hotel-dev-normalizer"}
    assert {k: v["primary"] for k, v in _states(stage_functions).items()} == {
        "webhook": "2",
        "normalizer": "2",
        "health": "1",
    }


def test_a_failed_canary_rolls_every_function_back(stage_functions: Any, tmp_path: Path) -> None:
    report = _deploy_all(stage_functions, StubPrometheus(BAD), tmp_path)
    assert report["action"] == "rolled_back"
    assert all(state == {"primary": "1", "weights": {}} for state in _states(stage_functions).values())


def test_rollback_command_clears_every_functions_weights(
    stage_functions: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for logical in ("webhook", "normalizer"):
        Alias(stage_functions, canary.function_name("dev", logical)).shift("2", 0.1, max_weight=0.5)
    monkeypatch.setattr(canary, "_lambda_client", lambda: stage_functions)
    assert canary.main(["rollback", "--stage", "dev"], env={}) == 0
    assert all(state["weights"] == {} for state in _states(stage_functions).values())
    # Functions of the topology that have no alias in this account are skipped, not an error.
    assert set(json.loads(capsys.readouterr().out)) == {
        f"agente-hotel-dev-{n}" for n in ("webhook", "normalizer", "health")
    }


def test_a_deploy_that_published_nothing_skips_the_canary(stage_functions: Any, tmp_path: Path) -> None:
    for logical in ("webhook", "normalizer"):  # as after a promotion: every alias on its newest version
        Alias(stage_functions, canary.function_name("dev", logical)).promote("2")
    before = _states(stage_functions)
    report = _deploy_all(stage_functions, StubPrometheus(BAD), tmp_path)
    assert report["status"] == "SKIPPED" and report["action"] == "nothing_published"
    assert _states(stage_functions) == before
    assert canary._print_report(report, tmp_path / "r.json") == 0


def test_a_canary_function_without_a_new_version_refuses_when_others_have_one(
    stage_functions: Any, tmp_path: Path
) -> None:
    Alias(stage_functions, canary.function_name("dev", "webhook")).promote("2")
    with pytest.raises(ConfigError, match="agente-hotel-dev-normalizer"):
        _deploy_all(stage_functions, StubPrometheus(GOOD), tmp_path)
    assert _states(stage_functions)["normalizer"] == {"primary": "1", "weights": {}}
