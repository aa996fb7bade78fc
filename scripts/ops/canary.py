"""Canary diff and Lambda alias traffic shifting.

For Lambda, baseline and canary are two published versions of one function behind an alias (`live`) with
weighted routing: the alias's primary version is the baseline, `AdditionalVersionWeights` sends a share of
the invocations to the canary. The diff compares their p95 latency and error rate in Prometheus (local, or
AMP with SigV4) over BASELINE_RANGE / CANARY_RANGE:

- `label` split (default, needs versions): both versions are live at once, told apart by the metrics'
  `function_version` label (CANARY_LABEL), each over its own range;
- `time` split (no versions, e.g. the local stack): the baseline is the BASELINE_RANGE that ended where
  the CANARY_RANGE began (`offset`), the canary is the last CANARY_RANGE.

    python -m scripts.ops.canary diff [--stage dev] [--baseline-version 3 --canary-version 4]
    python -m scripts.ops.canary shift|promote|status --stage dev [--version 4] [--weight 0.1]
    python -m scripts.ops.canary rollback --stage dev   # every function's alias back to its primary
    python -m scripts.ops.canary deploy STAGE VERSION   # shift, observe, diff, promote or roll back
    python -m scripts.ops.canary pins --stage dev       # {"webhook": "7", …}: each alias's primary version

`deploy` judges CANARY_FUNCTION (webhook) and moves every other function that has a new published
version along with it (same weight, same verdict). `pins` feeds `make deploy CANARY=1`
(`cdk deploy -c live_versions=…`), so that a deploy publishes versions without moving the aliases.

Exit codes: 0 PASS, 1 FAIL (rolled back when deploying), 2 bad configuration or an unreachable Prometheus.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from infra import topology
from scripts.ops import guardrails
from scripts.ops.prom import Prometheus, PrometheusError

ROOT = Path(__file__).resolve().parents[2]
REPORT_FILE = ROOT / ".playbook" / "canary_diff_report.json"
_RANGE = re.compile(r"^[1-9][0-9]*[smhdw]$")
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9_.:$-]+$")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    p95_increase: float = 1.10
    err_increase: float = 1.50
    err_abs_min: float = 0.005


@dataclass(frozen=True)
class CanaryConfig:
    prometheus_url: str
    stage: str
    baseline_range: str = "5m"
    canary_range: str = "5m"
    limits: Limits = field(default_factory=Limits)
    label: str = "function_version"
    baseline_version: str | None = None
    canary_version: str | None = None
    endpoint: str | None = None

    @property
    def split(self) -> Literal["label", "time"]:
        return "label" if self.baseline_version and self.canary_version else "time"

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: str | None) -> CanaryConfig:
        def get(name: str, default: str | None = None) -> str | None:
            value = overrides.get(name.lower())
            return value if value is not None else (env.get(name) or default)

        def positive(name: str, default: str) -> float:
            raw = get(name, default) or default
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a number") from None
            if not math.isfinite(value) or value <= 0:
                raise ConfigError(f"{name}={raw!r} must be a positive number")
            return value

        ranges = {name: get(name, "5m") or "5m" for name in ("BASELINE_RANGE", "CANARY_RANGE")}
        for name, value in ranges.items():
            if not _RANGE.match(value):
                raise ConfigError(f"{name}={value!r} is not a PromQL range such as 5m, 30s or 1h")
        limits = Limits(
            p95_increase=positive("P95_INCREASE_LIMIT", "1.10"),
            err_increase=positive("ERR_INCREASE_LIMIT", "1.50"),
            err_abs_min=positive("ERR_ABS_MIN", "0.005"),
        )
        if limits.p95_increase < 1 or limits.err_increase < 1:
            raise ConfigError("P95_INCREASE_LIMIT and ERR_INCREASE_LIMIT are multipliers of at least 1.0")
        names = ("BASELINE_VERSION", "CANARY_VERSION", "CANARY_ENDPOINT")
        versions: dict[str, str | None] = {name: get(name) for name in names}
        for key, given in versions.items():
            if given and not _LABEL_VALUE.match(given):
                raise ConfigError(f"{key}={given!r}: only letters, digits and ._:$- are allowed")
        if bool(versions["BASELINE_VERSION"]) != bool(versions["CANARY_VERSION"]):
            raise ConfigError("give both BASELINE_VERSION and CANARY_VERSION (label split) or neither (time split)")
        return cls(
            prometheus_url=get("PROMETHEUS_URL") or get("PROM_URL") or "http://127.0.0.1:9090",
            stage=get("STAGE", "local") or "local",
            baseline_range=ranges["BASELINE_RANGE"],
            canary_range=ranges["CANARY_RANGE"],
            limits=limits,
            label=get("CANARY_LABEL", "function_version") or "function_version",
            baseline_version=versions["BASELINE_VERSION"],
            canary_version=versions["CANARY_VERSION"],
            endpoint=versions["CANARY_ENDPOINT"],
        )


@dataclass(frozen=True)
class Side:
    p95_seconds: float | None
    error_rate: float | None
    requests_per_second: float | None


def queries(config: CanaryConfig, side: Literal["baseline", "canary"]) -> dict[str, str]:
    matchers = [f'stage="{config.stage}"']
    if config.endpoint:
        matchers.append(f'endpoint="{config.endpoint}"')
    window = config.baseline_range if side == "baseline" else config.canary_range
    offset = ""
    if config.split == "label":
        matchers.append(f'{config.label}="{config.baseline_version if side == "baseline" else config.canary_version}"')
    elif side == "baseline":
        offset = f" offset {config.canary_range}"
    sel = ",".join(matchers)
    rate = f"[{window}]{offset}"
    return {
        "p95_seconds": f"histogram_quantile(0.95, sum by (le) (rate(request_duration_seconds_bucket{{{sel}}}{rate})))",
        # No 5xx series at all means no errors, not "no data"; no requests at all stays empty (None).
        "error_rate": (
            f'(sum(rate(http_requests_total{{{sel},status_code=~"5.."}}{rate})) or vector(0)) / '
            f"sum(rate(http_requests_total{{{sel}}}{rate}))"
        ),
        "requests_per_second": f"sum(rate(http_requests_total{{{sel}}}{rate}))",
    }


def measure(prometheus: Prometheus, config: CanaryConfig, side: Literal["baseline", "canary"]) -> Side:
    values = {name: prometheus.query(promql) for name, promql in queries(config, side).items()}
    return Side(**values)


def evaluate(baseline: Side, canary: Side, limits: Limits) -> list[str]:
    """The fail reasons (empty: PASS). Missing data fails: a canary nobody called proves nothing."""
    reasons: list[str] = []
    if not canary.requests_per_second:
        return ["canary_no_traffic"]
    if not baseline.requests_per_second:
        return ["baseline_no_traffic"]
    if canary.p95_seconds is not None and baseline.p95_seconds is not None:
        if canary.p95_seconds > baseline.p95_seconds * limits.p95_increase:
            reasons.append("p95_delta_exceeded")
    elif canary.p95_seconds is None:
        reasons.append("canary_no_latency_data")
    err_threshold = max((baseline.error_rate or 0.0) * limits.err_increase, limits.err_abs_min)
    if (canary.error_rate or 0.0) > err_threshold:
        reasons.append("error_rate_delta_exceeded")
    return reasons


def run_diff(config: CanaryConfig, prometheus: Prometheus, report_path: Path = REPORT_FILE) -> dict[str, Any]:
    baseline = measure(prometheus, config, "baseline")
    canary = measure(prometheus, config, "canary")
    reasons = evaluate(baseline, canary, config.limits)
    report = {
        "status": "FAIL" if reasons else "PASS",
        "fail_reasons": reasons,
        "stage": config.stage,
        "split": config.split,
        "version": config.canary_version,
        "baseline_version": config.baseline_version,
        "baseline": asdict(baseline),
        "canary": asdict(canary),
        "limits": {
            "p95_multiplier": config.limits.p95_increase,
            "error_rate_multiplier": config.limits.err_increase,
            "error_rate_abs_min": config.limits.err_abs_min,
            "error_rate_threshold": max(
                (baseline.error_rate or 0.0) * config.limits.err_increase, config.limits.err_abs_min
            ),
        },
        "ranges": {"baseline": config.baseline_range, "canary": config.canary_range},
        "queries": {"baseline": queries(config, "baseline"), "canary": queries(config, "canary")},
        "prometheus": config.prometheus_url,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    return report


# -- the alias ----------------------------------------------------------------------------------------


@dataclass
class Alias:
    """Weighted routing of one function's alias between its primary (baseline) and a canary version."""

    lambda_client: Any
    function_name: str
    alias: str = "live"

    def get(self) -> dict[str, Any]:
        found = self.lambda_client.get_alias(FunctionName=self.function_name, Name=self.alias)
        weights = (found.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        return {"primary": found["FunctionVersion"], "weights": {k: float(v) for k, v in weights.items()}}

    def resolve(self, version: str) -> str:
        """`latest` is the highest published version (what `cdk deploy` just published)."""
        if version != "latest":
            return version
        paginator = self.lambda_client.get_paginator("list_versions_by_function")
        numbers = [
            int(v["Version"])
            for page in paginator.paginate(FunctionName=self.function_name)
            for v in page["Versions"]
            if v["Version"].isdigit()
        ]
        if not numbers:
            raise ConfigError(f"{self.function_name} has no published version")
        return str(max(numbers))

    def shift(self, version: str, weight: float, max_weight: float) -> dict[str, Any]:
        if not 0 < weight <= max_weight:
            raise ConfigError(f"canary weight {weight:g} outside (0, {max_weight:g}] (guardrails CANARY_MAX_WEIGHT)")
        if version == self.get()["primary"]:
            raise ConfigError(f"version {version} is already the alias's primary version")
        self.lambda_client.update_alias(
            FunctionName=self.function_name,
            Name=self.alias,
            RoutingConfig={"AdditionalVersionWeights": {version: weight}},
        )
        return self.get()

    def rollback(self) -> dict[str, Any]:
        """All traffic back to the primary (baseline) version."""
        self.lambda_client.update_alias(
            FunctionName=self.function_name, Name=self.alias, RoutingConfig={"AdditionalVersionWeights": {}}
        )
        return self.get()

    def promote(self, version: str) -> dict[str, Any]:
        self.lambda_client.update_alias(
            FunctionName=self.function_name,
            Name=self.alias,
            FunctionVersion=version,
            RoutingConfig={"AdditionalVersionWeights": {}},
        )
        return self.get()


def function_name(stage: str, logical: str) -> str:
    topology.function(logical)  # KeyError for a function the topology does not declare
    return topology.physical_name(stage, logical)


def _not_found(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ResourceNotFoundException")


def pins(lambda_client: Any, stage: str, alias: str = "live") -> dict[str, str]:
    """Each function's current primary version of `alias`, by logical name: what `cdk deploy -c
    live_versions=…` keeps the aliases on. A function without the alias yet (first deploy, new function)
    is left out, so its alias is created on the version the deploy publishes."""
    found: dict[str, str] = {}
    for spec in topology.FUNCTIONS:
        target = Alias(lambda_client, function_name(stage, spec.name), alias)
        try:
            state = target.get()
        except Exception as exc:
            if _not_found(exc):
                continue
            raise
        if state["weights"]:
            # Deploying now would leave a half-shifted alias under a template that no longer knows why.
            raise ConfigError(
                f"{target.function_name}:{alias} has a canary in flight ({state['weights']}): "
                "promote or roll it back before deploying"
            )
        if not str(state["primary"]).isdigit():
            raise ConfigError(f"{target.function_name}:{alias} points at {state['primary']}, not a published version")
        found[spec.name] = str(state["primary"])
    return found


def stage_aliases(lambda_client: Any, stage: str, alias: str = "live", *, except_: str | None = None) -> list[Alias]:
    """The alias of every function of the stage (but `except_`), in topology order."""
    return [
        Alias(lambda_client, function_name(stage, spec.name), alias)
        for spec in topology.FUNCTIONS
        if spec.name != except_
    ]


def rollback_all(aliases: Sequence[Alias]) -> dict[str, dict[str, Any]]:
    """Every alias back to its primary; functions without the alias (not deployed yet) are skipped."""
    states: dict[str, dict[str, Any]] = {}
    for alias in aliases:
        try:
            states[alias.function_name] = alias.rollback()
        except Exception as exc:
            if not _not_found(exc):
                raise
    return states


def deploy(
    alias: Alias,
    config: CanaryConfig,
    prometheus: Prometheus,
    *,
    version: str,
    weight: float,
    max_weight: float,
    observe_seconds: float,
    promote: bool,
    sleep: Callable[[float], None] = time.sleep,
    report_path: Path = REPORT_FILE,
    followers: Sequence[Alias] = (),
) -> dict[str, Any]:
    """Shift `weight` to `version`, let traffic flow, diff; roll back on FAIL, promote on PASS if asked.

    `followers` are the other functions' aliases: each whose newest published version is not its primary
    (what the deploy published while the aliases were pinned) gets the same weight and the same verdict.
    """
    version = alias.resolve(version)
    baseline_version = alias.get()["primary"]
    moving: list[tuple[Alias, str]] = []
    for follower in followers:
        try:
            primary = follower.get()["primary"]
        except Exception as exc:
            if _not_found(exc):
                continue  # not deployed in this account
            raise
        newest = follower.resolve("latest")
        if newest != primary:
            moving.append((follower, newest))
    if version == baseline_version:
        if moving:
            others = ", ".join(f.function_name for f, _ in moving)
            raise ConfigError(
                f"{alias.function_name} has no new version but {others} do: canary one of them (CANARY_FUNCTION=…)"
            )
        # The deploy published nothing (no function changed, or a stage's first deploy created the aliases).
        return {"status": "SKIPPED", "action": "nothing_published", "alias": alias.get(), "version": version}
    alias.shift(version, weight, max_weight)
    shifted = [alias]
    try:
        for follower, follower_version in moving:
            follower.shift(follower_version, weight, max_weight)
            shifted.append(follower)
        sleep(observe_seconds)
        config = _with_versions(config, baseline_version, version)
        report = run_diff(config, prometheus, report_path)
    except BaseException:
        rollback_all(shifted)
        raise
    if report["status"] == "FAIL":
        report["action"] = "rolled_back"
        report["alias"] = alias.rollback()
        report["others"] = rollback_all([f for f, _ in moving])
    elif promote:
        report["action"] = "promoted"
        report["alias"] = alias.promote(version)
        report["others"] = {f.function_name: f.promote(v) for f, v in moving}
    else:
        report["action"] = "kept_at_weight"
        report["alias"] = alias.get()
        report["others"] = {f.function_name: f.get() for f, _ in moving}
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    return report


def _with_versions(config: CanaryConfig, baseline: str, canary: str) -> CanaryConfig:
    values = asdict(config)
    values["limits"] = config.limits
    values.update(baseline_version=baseline, canary_version=canary)
    return CanaryConfig(**values)


# -- CLI ----------------------------------------------------------------------------------------------


def _lambda_client() -> Any:
    import boto3

    return boto3.client("lambda")


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("diff", "shift", "rollback", "promote", "status", "deploy", "pins"))
    parser.add_argument("args", nargs="*", help="deploy: STAGE VERSION")
    parser.add_argument("--stage", default=None)
    parser.add_argument("--function", default=env.get("CANARY_FUNCTION", "webhook"), help="logical name")
    parser.add_argument("--alias", default=env.get("CANARY_ALIAS", "live"))
    parser.add_argument("--version", default=None, help="canary version number, or `latest`")
    parser.add_argument("--weight", type=float, default=None)
    parser.add_argument("--baseline-version", default=None)
    parser.add_argument("--canary-version", default=None)
    parser.add_argument("--report", type=Path, default=REPORT_FILE)
    args = parser.parse_args(argv)
    try:
        stage = args.stage or (args.args[0] if args.args else None) or env.get("STAGE") or "local"
        if args.command == "pins":
            # Only the JSON on stdout: `make deploy CANARY=1` passes it to `cdk deploy -c live_versions=…`,
            # which pins the CDK app's `live` aliases whatever CANARY_ALIAS says.
            print(json.dumps(pins(_lambda_client(), stage), separators=(",", ":"), sort_keys=True))
            return 0
        limits = guardrails.load()
        version = args.version or (args.args[1] if len(args.args) > 1 else None)
        config = CanaryConfig.from_env(
            env, stage=stage, baseline_version=args.baseline_version, canary_version=args.canary_version
        )
        prometheus = Prometheus(config.prometheus_url, sigv4_region=env.get("AMP_REGION") or None)
        if args.command == "diff":
            report = run_diff(config, prometheus, args.report)
            return _print_report(report, args.report)
        alias = Alias(_lambda_client(), function_name(stage, args.function), args.alias)
        weight = args.weight if args.weight is not None else guardrails_weight(env, limits)
        if args.command == "status":
            print(json.dumps(alias.get()))
        elif args.command == "rollback":
            # Every function: a canary deploy shifts all the functions it published a version of.
            print(json.dumps(rollback_all(stage_aliases(alias.lambda_client, stage, args.alias))))
        elif args.command in ("shift", "promote", "deploy") and not version:
            raise ConfigError(f"{args.command} needs a version (--version N, or `latest`)")
        elif args.command == "shift":
            print(json.dumps(alias.shift(alias.resolve(str(version)), weight, limits["CANARY_MAX_WEIGHT"])))
        elif args.command == "promote":
            print(json.dumps(alias.promote(alias.resolve(str(version)))))
        else:
            observe = float(env.get("CANARY_OBSERVE_SECONDS", "300"))
            if observe > limits["MAX_CANARY_OBSERVATION_MINUTES"] * 60:
                raise ConfigError("CANARY_OBSERVE_SECONDS above guardrails MAX_CANARY_OBSERVATION_MINUTES")
            report = deploy(
                alias,
                config,
                prometheus,
                version=str(version),
                weight=weight,
                max_weight=limits["CANARY_MAX_WEIGHT"],
                observe_seconds=observe,
                promote=env.get("CANARY_PROMOTE", "true").lower() == "true",
                report_path=args.report,
                followers=stage_aliases(alias.lambda_client, stage, args.alias, except_=args.function),
            )
            return _print_report(report, args.report)
        return 0
    except (ConfigError, guardrails.GuardrailError, KeyError) as exc:
        print(f"canary: {exc}", file=sys.stderr)
        return 2
    except PrometheusError as exc:
        print(f"canary: Prometheus: {exc}", file=sys.stderr)
        return 2


def guardrails_weight(env: Mapping[str, str], limits: Mapping[str, float]) -> float:
    raw = env.get("CANARY_WEIGHT")
    try:
        return float(raw) if raw else limits["CANARY_INITIAL_WEIGHT"]
    except ValueError:
        raise ConfigError(f"CANARY_WEIGHT={raw!r} is not a number") from None


def _print_report(report: dict[str, Any], path: Path) -> int:
    if report["status"] == "SKIPPED":
        print(f"canary skipped: the deploy published no new version (alias at {report['version']})")
        return 0
    b, c = report["baseline"], report["canary"]
    print(f"canary diff {report['status']} ({report['split']} split, stage {report['stage']}) -> {path}")
    print(f"  baseline p95={b['p95_seconds']} error_rate={b['error_rate']} rps={b['requests_per_second']}")
    print(f"  canary   p95={c['p95_seconds']} error_rate={c['error_rate']} rps={c['requests_per_second']}")
    for reason in report["fail_reasons"]:
        print(f"  FAIL {reason}")
    if "action" in report:
        print(f"  alias: {report['action']} {report['alias']}")
        for name, state in report.get("others", {}).items():
            print(f"  {name}: {state}")
    return 0 if report["status"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
