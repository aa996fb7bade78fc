"""The committed dashboards are the generator's output, and every panel query is valid PromQL over the
metric names of ARCHITECTURE.md and our recording rules (checked by the real promtool)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from scripts.observability import dashboards, rules

# ARCHITECTURE.md "Metric names", histograms expanded to their series, plus Prometheus' ALERTS.
RAW_METRICS = {
    "http_requests_total", "request_duration_seconds_bucket", "active_connections",
    "pms_api_latency_seconds_bucket", "pms_operations_total", "pms_errors_total", "pms_cache_hits_total",
    "pms_cache_misses_total", "pms_circuit_breaker_state", "pms_circuit_breaker_calls_total",
    "pms_circuit_breaker_failure_streak", "retry_attempts_total", "tenant_resolution_total",
    "tenants_active_total", "tenant_identifiers_cached_total", "message_normalized_total",
    "message_normalization_errors_total", "orchestrator_messages_total", "orchestrator_latency_seconds_bucket",
    "dependency_up", "readiness_up", "readiness_last_check_timestamp", "ALERTS",
}  # fmt: skip
_PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "topk", "by", "without", "or", "and", "unless", "on", "bool",
    "rate", "increase", "count_over_time", "histogram_quantile", "clamp_min", "clamp_max", "time", "vector",
    "offset", "le",
}  # fmt: skip


def test_committed_json_equals_generator_output() -> None:
    generated = dashboards.render_dashboards()
    committed = {p.name for p in dashboards.DASHBOARD_DIR.glob("*.json")}
    assert committed == set(generated)
    for name, text in generated.items():
        assert (dashboards.DASHBOARD_DIR / name).read_text() == text, f"{name} is stale: regenerate it"


def test_five_dashboards_with_unique_uids_and_titles() -> None:
    models = [json.loads(t) for t in dashboards.render_dashboards().values()]
    assert {m["title"] for m in models} == {
        "Alertas - Overview", "Agente - Overview", "Webhooks - Rate Limit", "Readiness & Dependencies", "SLO Health",
    }  # fmt: skip
    assert len({m["uid"] for m in models}) == 5


def test_every_panel_query_parses(tmp_path: Path) -> None:
    queries = list(dashboards.panel_queries())
    assert len(queries) > 60
    doc = {
        "groups": [
            {
                "name": "dashboard-queries",
                "rules": [{"record": f"dashboard:query_{i}", "expr": q.expr} for i, q in enumerate(queries)],
            }
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(doc, width=1000))
    done = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_panel_queries_use_only_known_series() -> None:
    known = RAW_METRICS | set(rules.rule_names({})["records"])
    for q in dashboards.panel_queries():
        bare = re.sub(r'"[^"]*"', '""', q.expr)  # drop label values
        bare = re.sub(r"\{[^}]*\}", "", bare)  # drop matchers
        bare = re.sub(r"\[[^\]]*\]", "", bare)  # drop ranges
        bare = re.sub(r"\b(by|without|on)\s*\([^)]*\)", "", bare)  # drop grouping labels
        bare = re.sub(r"\b\d[\d.]*(e[-+]?\d+)?\b", "", bare)  # drop numbers such as 1e-9
        names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", bare)) - _PROMQL_WORDS
        assert names <= known, f"{q.dashboard} / {q.panel}: unknown {names - known} in {q.expr}"


def test_queries_filter_on_the_stage_variable() -> None:
    for name, text in dashboards.render_dashboards().items():
        for panel in json.loads(text)["panels"]:
            for target in panel.get("targets") or []:
                expr = target["expr"]
                if "ALERTS" in expr or re.fullmatch(
                    r"(max\()?orchestrator_(slo_target|slo_traffic_floor|"
                    r"error_budget_fraction)\)?|vector\([0-9.]+\)",
                    expr,
                ):
                    continue
                assert "$stage" in expr, f"{name} / {panel['title']}: {expr}"
