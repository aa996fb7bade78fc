"""Grafana dashboards as code (grafana-foundation-sdk).

    python -m scripts.observability.dashboards            # write observability/grafana/dashboards/*.json
    python -m scripts.observability.dashboards --check    # exit 1 if the committed JSON is stale

Panels query only the metric names of ARCHITECTURE.md and the recording rules of
observability/prometheus/recording_rules.tmpl.yml. Every query filters on `stage=~"$stage"`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import common as gcommon
from grafana_foundation_sdk.builders import dashboard as gdb
from grafana_foundation_sdk.builders import gauge, prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as gdm

from scripts.observability.rules import REPO_ROOT

DASHBOARD_DIR = REPO_ROOT / "observability" / "grafana" / "dashboards"
DATASOURCE = gdm.DataSourceRef(type_val="prometheus", uid="${datasource}")
S = 'stage=~"$stage"'
WEBHOOK = 'endpoint="/webhooks/whatsapp"'


def _rate(metric: str) -> str:
    return f"rate({metric}{{{S}}}[$__rate_interval])"


# Counters that only move when something fails: their panels are legitimately empty on happy traffic.
FAILURE_ONLY_METRICS = (
    "pms_errors_total",
    "retry_attempts_total",
    "message_normalization_errors_total",
    "ALERTS",
)
# Values that make a panel query a plain PromQL expression (for promtool and ad-hoc queries).
VARIABLE_VALUES = {
    "$__rate_interval": "1m",
    "$__interval": "1m",
    "$__range": "1h",
    "$stage": ".*",
}

Builder = Any  # grafana-foundation-sdk panel builders share no useful common type


def _query(expr: str, legend: str = "", instant: bool = False) -> prometheus.Dataquery:
    q = prometheus.Dataquery().expr(expr).legend_format(legend or "__auto")
    return q.instant() if instant else q.range()


def _thresholds(*steps: tuple[float | None, str]) -> gdb.ThresholdsConfig:
    return (
        gdb.ThresholdsConfig()
        .mode(gdm.ThresholdsMode.ABSOLUTE)
        .steps([gdm.Threshold(value=v, color=c) for v, c in steps])
    )


GREEN_RED = _thresholds((None, "green"), (1, "red"))


def ts(title: str, targets: list[tuple[str, str]], unit: str = "short", w: int = 12, h: int = 8) -> Builder:
    panel = timeseries.Panel().title(title).datasource(DATASOURCE).unit(unit).span(w).height(h)
    for expr, legend in targets:
        panel = panel.with_target(_query(expr, legend))
    return panel


def single(
    title: str,
    expr: str,
    unit: str = "short",
    w: int = 6,
    h: int = 4,
    thresholds: gdb.ThresholdsConfig | None = None,
    kind: str = "stat",
) -> Builder:
    panel: Builder = stat.Panel() if kind == "stat" else gauge.Panel()
    panel = panel.title(title).datasource(DATASOURCE).unit(unit).span(w).height(h)
    panel = panel.with_target(_query(expr, instant=True))
    if thresholds is not None:
        panel = panel.thresholds(thresholds)
    panel = panel.reduce_options(gcommon.ReduceDataOptions().calcs(["lastNotNull"]))
    if kind == "stat":
        panel = panel.graph_mode(common.BigValueGraphMode.NONE).color_mode(common.BigValueColorMode.BACKGROUND)
    return panel


def instant_table(title: str, expr: str, w: int = 24, h: int = 8) -> Builder:
    return table.Panel().title(title).datasource(DATASOURCE).span(w).height(h).with_target(_query(expr, instant=True))


def _base(uid: str, title: str, tags: list[str]) -> gdb.Dashboard:
    stage = (
        gdb.QueryVariable("stage")
        .label("Stage")
        .datasource(DATASOURCE)
        .query("label_values(orchestrator_messages_total, stage)")
        .refresh(gdm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .include_all(True)
        .all_value(".*")
        .multi(True)
    )
    return (
        gdb.Dashboard(title)
        .uid(uid)
        .tags(["agente-hotel", *tags])
        .editable()
        .refresh("30s")
        .time("now-6h", "now")
        .timezone("browser")
        .with_variable(gdb.DatasourceVariable("datasource").label("Data source").type("prometheus"))
        .with_variable(stage)
    )


def _add(board: gdb.Dashboard, rows: list[tuple[str, list[Builder]]]) -> gdb.Dashboard:
    for title, panels in rows:
        board = board.with_row(gdb.Row(title))
        for panel in panels:
            board = board.with_panel(panel)
    return board


def alerts_overview() -> gdb.Dashboard:
    firing = 'ALERTS{alertstate="firing"}'
    return _add(
        _base("agente-alerts-overview", "Alertas - Overview", ["alerts"]),
        [
            (
                "Active alerts",
                [
                    single("Firing", f"count({firing}) or vector(0)", thresholds=GREEN_RED),
                    single(
                        "Critical",
                        'count(ALERTS{alertstate="firing",severity="critical"}) or vector(0)',
                        thresholds=GREEN_RED,
                    ),
                    single(
                        "Warning",
                        'count(ALERTS{alertstate="firing",severity="warning"}) or vector(0)',
                        thresholds=_thresholds((None, "green"), (1, "orange")),
                    ),
                    single("Pending", 'count(ALERTS{alertstate="pending"}) or vector(0)'),
                    ts("Firing alerts by severity", [(f"count by (severity) ({firing})", "{{severity}}")]),
                    ts("Firing alerts by rule", [(f"count by (alertname) ({firing})", "{{alertname}}")]),
                    instant_table("Firing now", firing),
                    instant_table(
                        "Minutes firing per rule (time range)",
                        f"sum by (alertname, severity) (count_over_time({firing}[$__range])) / 4",
                    ),
                ],
            )
        ],
    )


def _slo_panels() -> list[Builder]:
    burn = [(f"orchestrator_burn_rate:{w}{{{S}}}", f"{w} {{{{stage}}}}") for w in ("5m", "1h", "6h", "1d", "3d")]
    return [
        single("SLO target", "max(orchestrator_slo_target)", unit="percentunit", w=4),
        single("Error budget fraction", "max(orchestrator_error_budget_fraction)", unit="percentunit", w=4),
        single("Success rate (5m)", f"min(orchestrator_success_rate_all{{{S}}})", unit="percentunit", w=4),
        single(
            "Error budget remaining (30d)",
            f"min(orchestrator_error_budget_remaining_ratio{{{S}}})",
            unit="percentunit",
            w=4,
            thresholds=_thresholds((None, "red"), (0.25, "orange"), (0.5, "green")),
        ),
        single(
            "Hours to exhaust (1h burn)",
            f"min(orchestrator_error_budget_hours_to_exhaust_fast{{{S}}})",
            unit="h",
            w=4,
            thresholds=_thresholds((None, "red"), (6, "orange"), (24, "green")),
        ),
        single(
            "Hours to exhaust (6h burn)",
            f"min(orchestrator_error_budget_hours_to_exhaust_slow{{{S}}})",
            unit="h",
            w=4,
            thresholds=_thresholds((None, "red"), (12, "orange"), (48, "green")),
        ),
        ts("Burn rate by window", burn),
        ts(
            "Success rate vs objective",
            [
                (f"orchestrator_success_rate_all{{{S}}}", "success {{stage}}"),
                ("orchestrator_slo_target", "objective"),
            ],
            unit="percentunit",
        ),
        ts(
            "Error budget used / remaining (30d)",
            [
                (f"orchestrator_error_budget_used_ratio{{{S}}}", "used {{stage}}"),
                (f"orchestrator_error_budget_remaining_ratio{{{S}}}", "remaining {{stage}}"),
            ],
            unit="percentunit",
        ),
        ts(
            "Global message rate vs traffic floor",
            [
                (f"orchestrator_message_rate_all{{{S}}}", "messages/s {{stage}}"),
                ("orchestrator_slo_traffic_floor", "floor"),
            ],
            unit="reqps",
        ),
    ]


def agente_overview() -> gdb.Dashboard:
    return _add(
        _base("agente-overview", "Agente - Overview", ["overview"]),
        [
            (
                "HTTP",
                [
                    ts(
                        "Requests by endpoint and status",
                        [
                            (
                                f"sum by (endpoint, status_code) (http_requests:rate5m{{{S}}})",
                                "{{endpoint}} {{status_code}}",
                            )
                        ],
                        unit="reqps",
                    ),
                    ts(
                        "Request duration p95",
                        [(f"http_request_duration_seconds:p95_5m{{{S}}}", "{{endpoint}}")],
                        unit="s",
                    ),
                    ts("5xx rate by endpoint", [(f"http_requests_5xx:rate5m{{{S}}}", "{{endpoint}}")], unit="reqps"),
                    ts("Active connections", [(f"sum(active_connections{{{S}}})", "connections")]),
                ],
            ),
            (
                "PMS",
                [
                    ts("PMS API latency p95", [(f"pms_api_latency_seconds:p95_5m{{{S}}}", "{{endpoint}}")], unit="s"),
                    ts(
                        "PMS operations",
                        [(f"sum by (operation, status) (pms_operations:rate5m{{{S}}})", "{{operation}} {{status}}")],
                        unit="ops",
                    ),
                    ts(
                        "PMS errors by type",
                        [
                            (
                                f"sum by (operation, error_type) (rate(pms_errors_total{{{S}}}[$__rate_interval]))",
                                "{{operation}} {{error_type}}",
                            )
                        ],
                        unit="ops",
                    ),
                    ts(
                        "Retries",
                        [
                            (
                                f"sum by (operation, exception) (rate(retry_attempts_total{{{S}}}[$__rate_interval]))",
                                "{{operation}} {{exception}}",
                            )
                        ],
                        unit="ops",
                    ),
                    single(
                        "PMS cache hit ratio",
                        f"min(pms_cache_hit_ratio{{{S}}})",
                        unit="percentunit",
                        thresholds=_thresholds((None, "red"), (0.5, "orange"), (0.7, "green")),
                    ),
                    ts(
                        "PMS cache ops (hits vs misses)",
                        [
                            (f"sum(pms_cache_hits:rate5m{{{S}}})", "hits"),
                            (f"sum(pms_cache_misses:rate5m{{{S}}})", "misses"),
                        ],
                        unit="ops",
                        w=18,
                        h=4,
                    ),
                ],
            ),
            (
                "Circuit breaker",
                [
                    single(
                        "Circuit breaker state",
                        f"max(pms_circuit_breaker_state:max{{{S}}})",
                        thresholds=_thresholds((None, "green"), (1, "red")),
                    ),
                    single(
                        "Failure streak / threshold",
                        f"max(pms_cb_failure_streak_fraction{{{S}}})",
                        unit="percentunit",
                        thresholds=_thresholds((None, "green"), (0.6, "orange"), (0.8, "red")),
                    ),
                    single("Minutes to open (estimate)", f"min(pms_cb_minutes_to_open_estimate{{{S}}})", unit="m"),
                    single("Imminent-open risk (3m)", f"max(pms_cb_risk_imminent{{{S}}})", unit="percentunit"),
                    ts(
                        "Breaker calls by state and result",
                        [
                            (
                                f"sum by (state, result) ({_rate('pms_circuit_breaker_calls_total')})",
                                "{{state}} {{result}}",
                            )
                        ],
                        unit="ops",
                    ),
                    ts(
                        "Breaker failure ratio",
                        [(f"pms_cb_failure_ratio_{w}{{{S}}}", w) for w in ("1m", "5m", "15m")],
                        unit="percentunit",
                    ),
                ],
            ),
            (
                "Orchestrator",
                [
                    ts(
                        "Messages by intent and status",
                        [(f"orchestrator_message_rate:intent_status{{{S}}}", "{{intent}} {{status}}")],
                        unit="reqps",
                    ),
                    ts(
                        "Error rate by intent",
                        [(f"orchestrator_error_rate:intent{{{S}}}", "{{intent}}")],
                        unit="percentunit",
                    ),
                    ts("Latency p95 by intent", [(f"orchestrator_latency_p95:intent{{{S}}}", "{{intent}}")], unit="s"),
                    ts(
                        "Normalization and tenancy",
                        [
                            (
                                f"sum by (canal) (rate(message_normalized_total{{{S}}}[$__rate_interval]))",
                                "normalized {{canal}}",
                            ),
                            (
                                f"sum by (error_type) ({_rate('message_normalization_errors_total')})",
                                "normalization error {{error_type}}",
                            ),
                            (
                                f"sum by (result) (rate(tenant_resolution_total{{{S}}}[$__rate_interval]))",
                                "tenant {{result}}",
                            ),
                        ],
                        unit="ops",
                    ),
                ],
            ),
            ("SLO", _slo_panels()),
        ],
    )


def webhooks_rate_limit() -> gdb.Dashboard:
    return _add(
        _base("agente-webhooks-rate-limit", "Webhooks - Rate Limit", ["webhooks"]),
        [
            (
                "/webhooks/whatsapp",
                [
                    single(
                        "429 rate (5m)",
                        f"sum(http_requests_429:rate5m{{{S},{WEBHOOK}}}) or vector(0)",
                        unit="reqps",
                        thresholds=_thresholds((None, "green"), (0.2, "red")),
                    ),
                    single(
                        "429 in time range",
                        f'sum(increase(http_requests_total{{{S},{WEBHOOK},status_code="429"}}[$__range])) or vector(0)',
                    ),
                    single(
                        "429 share (5m)",
                        f"(sum(http_requests_429:rate5m{{{S},{WEBHOOK}}}) or vector(0))"
                        f" / clamp_min(sum(http_requests:rate5m{{{S},{WEBHOOK}}}), 1e-9)",
                        unit="percentunit",
                    ),
                    single("Requests (5m)", f"sum(http_requests:rate5m{{{S},{WEBHOOK}}})", unit="reqps"),
                    ts(
                        "Requests by method and status",
                        [
                            (
                                f"sum by (method, status_code) (http_requests:rate5m{{{S},{WEBHOOK}}})",
                                "{{method}} {{status_code}}",
                            )
                        ],
                        unit="reqps",
                    ),
                    ts(
                        "429 rate vs alert threshold",
                        [
                            (f"sum by (stage) (http_requests_429:rate5m{{{S},{WEBHOOK}}})", "429/s {{stage}}"),
                            ("vector(0.2)", "HighWebhook429Rate threshold"),
                        ],
                        unit="reqps",
                    ),
                    ts(
                        "Webhook duration p95",
                        [(f"http_request_duration_seconds:p95_5m{{{S},{WEBHOOK}}}", "p95")],
                        unit="s",
                        w=24,
                    ),
                ],
            )
        ],
    )


def readiness_overview() -> gdb.Dashboard:
    return _add(
        _base("agente-readiness", "Readiness & Dependencies", ["readiness"]),
        [
            (
                "Readiness",
                [
                    single("Ready", f"min(readiness_up{{{S}}})", thresholds=_thresholds((None, "red"), (1, "green"))),
                    single(
                        "Seconds since last check",
                        f"time() - max(readiness_last_check_timestamp{{{S}}})",
                        unit="s",
                        thresholds=_thresholds((None, "green"), (300, "red")),
                    ),
                    single(
                        "Dependencies",
                        f"min by (name) (dependency_up{{{S}}})",
                        w=12,
                        kind="gauge",
                        thresholds=_thresholds((None, "red"), (1, "green")),
                    ),
                    ts("Readiness over time", [(f"min by (stage) (readiness_up{{{S}}})", "{{stage}}")]),
                    ts("Dependencies over time", [(f"min by (name) (dependency_up{{{S}}})", "{{name}}")]),
                ],
            )
        ],
    )


def slo_health() -> gdb.Dashboard:
    return _add(
        _base("agente-slo-health", "SLO Health", ["slo"]),
        [
            ("Objective and budget", _slo_panels()),
            (
                "Intents",
                [
                    instant_table("Top intents by error rate", f"topk(5, orchestrator_error_rate:intent{{{S}}})", w=12),
                    instant_table(
                        "Top intents by p95 latency", f"topk(5, orchestrator_latency_p95:intent{{{S}}})", w=12
                    ),
                ],
            ),
        ],
    )


DASHBOARDS: dict[str, Callable[[], gdb.Dashboard]] = {
    "alerts-overview.json": alerts_overview,
    "agente-overview.json": agente_overview,
    "webhooks-rate-limit.json": webhooks_rate_limit,
    "readiness-overview.json": readiness_overview,
    "slo-health.json": slo_health,
}


def _number_panels(model: dict[str, Any]) -> dict[str, Any]:
    """Stable panel ids (1..n in order) and query refIds (A, B, ...), so the JSON only changes when the
    dashboards do."""
    for index, panel in enumerate(model.get("panels", []), start=1):
        panel["id"] = index
        for ref, target in enumerate(panel.get("targets") or []):
            target["refId"] = chr(ord("A") + ref)
    return model


def render_dashboards() -> dict[str, str]:
    """File name -> dashboard JSON text, exactly as committed."""
    out = {}
    for name, build in DASHBOARDS.items():
        model = json.loads(json.dumps(build().build(), cls=JSONEncoder))
        out[name] = json.dumps(_number_panels(model), indent=2, sort_keys=True) + "\n"
    return out


@dataclass(frozen=True)
class PanelQuery:
    dashboard: str
    panel: str
    expr: str  # Grafana variables replaced by VARIABLE_VALUES
    expects_data: bool  # False for panels on failure-only counters or alert state


def substitute_variables(expr: str) -> str:
    for variable in sorted(VARIABLE_VALUES, key=len, reverse=True):
        expr = expr.replace(variable, VARIABLE_VALUES[variable])
    if re.search(r"\$\w", expr):
        raise ValueError(f"unknown Grafana variable in {expr!r}")
    return expr


def panel_queries() -> Iterator[PanelQuery]:
    """Every panel query of every dashboard, as plain PromQL."""
    for text in render_dashboards().values():
        model = json.loads(text)
        for panel in model.get("panels", []):
            for target in panel.get("targets") or []:
                expr = target.get("expr")
                if not expr:
                    continue
                failure_only = any(re.search(rf"\b{m}\b", expr) for m in FAILURE_ONLY_METRICS)
                expects_data = not failure_only or "or vector(0)" in expr
                yield PanelQuery(model["title"], panel.get("title", ""), substitute_variables(expr), expects_data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DASHBOARD_DIR)
    parser.add_argument("--check", action="store_true", help="fail if the files differ from the generator")
    args = parser.parse_args(argv)
    stale = []
    for name, text in render_dashboards().items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    if stale:
        print(f"stale dashboards (run python -m scripts.observability.dashboards): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
