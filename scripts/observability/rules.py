"""Render the Prometheus rule files from the templates in observability/prometheus/.

The same text goes to the local Prometheus (`rule_files`), to `promtool test rules` and to the AMP rule
groups namespaces, so what is tested is exactly what runs in the cloud.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO_ROOT / "observability" / "prometheus"

RECORDING_RULES_FILE = "recording_rules.yml"
ALERTS_FILE = "alerts.yml"
ALERTS_EXTRA_FILE = "alerts-extra.yml"
RULE_FILES = (RECORDING_RULES_FILE, ALERTS_FILE, ALERTS_EXTRA_FILE)

DEFAULT_SLO_TARGET = "99.0"
DEFAULT_SLO_TRAFFIC_FLOOR = "0.5"
DEFAULT_PMS_CB_FAILURE_THRESHOLD = "5"
# Environment switch for the synthetic AlwaysFiring alert (`make alerts-enable-test` sets it).
TEST_ALERT_ENV = "ALERTS_TEST_ENABLED"

_PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SloParams:
    """Template values, as exact decimal strings (no float noise such as 0.009999999999999)."""

    slo_target: Decimal  # ratio, e.g. 0.99
    error_budget_fraction: Decimal  # 1 - slo_target, unless ERROR_BUDGET_FRACTION overrides it
    traffic_floor: Decimal  # messages per second
    cb_failure_threshold: int

    @property
    def critical_success(self) -> Decimal:
        """Success rate under which degradation is critical: errors at three times the budget."""
        return max(Decimal(0), 1 - 3 * self.error_budget_fraction)

    def substitutions(self) -> dict[str, str]:
        return {
            "SLO_TARGET": _fmt(self.slo_target),
            "ERROR_BUDGET_FRACTION": _fmt(self.error_budget_fraction),
            "SLO_CRITICAL_SUCCESS": _fmt(self.critical_success),
            "SLO_TRAFFIC_FLOOR": _fmt(self.traffic_floor),
            "PMS_CB_FAILURE_THRESHOLD": str(self.cb_failure_threshold),
        }


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _decimal(env: Mapping[str, str], name: str, default: str) -> Decimal:
    raw = (env.get(name) or default).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"{name}={raw!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"{name}={raw!r} is not a finite number")
    return value


def slo_params(env: Mapping[str, str]) -> SloParams:
    """Read SLO_TARGET (percent, default 99.0), ERROR_BUDGET_FRACTION (wins over SLO_TARGET when set),
    SLO_TRAFFIC_FLOOR (msg/s, default 0.5) and PMS_CB_FAILURE_THRESHOLD (default 5)."""
    if (env.get("ERROR_BUDGET_FRACTION") or "").strip():
        budget = _decimal(env, "ERROR_BUDGET_FRACTION", "")
        if not 0 < budget < 1:
            raise ValueError(f"ERROR_BUDGET_FRACTION must be in (0, 1), got {budget}")
        target = 1 - budget
    else:
        percent = _decimal(env, "SLO_TARGET", DEFAULT_SLO_TARGET)
        if not 0 < percent < 100:
            raise ValueError(f"SLO_TARGET is a percentage in (0, 100), got {percent}")
        target = percent / 100
        budget = 1 - target
    floor = _decimal(env, "SLO_TRAFFIC_FLOOR", DEFAULT_SLO_TRAFFIC_FLOOR)
    if floor < 0:
        raise ValueError(f"SLO_TRAFFIC_FLOOR must be >= 0, got {floor}")
    threshold = _decimal(env, "PMS_CB_FAILURE_THRESHOLD", DEFAULT_PMS_CB_FAILURE_THRESHOLD)
    if threshold < 1 or threshold != threshold.to_integral_value():
        raise ValueError(f"PMS_CB_FAILURE_THRESHOLD must be a positive integer, got {threshold}")
    return SloParams(target, budget, floor, int(threshold))


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Replace ${NAME} placeholders; an unknown name is an error, never a silent empty string."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"unknown placeholder ${{{name}}}")
        return values[name]

    return _PLACEHOLDER.sub(repl, text)


def alerts_extra_text(enabled: bool) -> str:
    """The synthetic alert file: AlwaysFiring when enabled, no groups otherwise (kept so that
    Prometheus always finds the file it was told to load)."""
    if not enabled:
        return "# Synthetic alerts disabled (make alerts-enable-test turns AlwaysFiring on).\ngroups: []\n"
    return (
        "# Synthetic alert to test the notification path end to end (make alerts-disable-test removes it).\n"
        "groups:\n"
        "  - name: agente-hotel.synthetic\n"
        "    rules:\n"
        "      - alert: AlwaysFiring\n"
        "        expr: vector(1)\n"
        "        labels:\n"
        "          severity: critical\n"
        '          synthetic: "true"\n'
        "        annotations:\n"
        '          summary: "Synthetic alert: the alerting pipeline works"\n'
        '          description: "Enabled by make alerts-enable-test; disable it with make alerts-disable-test."\n'
    )


def test_alert_enabled(env: Mapping[str, str]) -> bool:
    return (env.get(TEST_ALERT_ENV) or "").strip().lower() in _TRUE


def rule_texts(env: Mapping[str, str], test_alert: bool | None = None) -> dict[str, str]:
    """The rule files as text, keyed by file name (recording_rules.yml, alerts.yml, alerts-extra.yml).

    Each text is a standard Prometheus rules document, valid as `CfnRuleGroupsNamespace.data`.
    `test_alert` overrides ALERTS_TEST_ENABLED from `env`.
    """
    values = slo_params(env).substitutions()
    enabled = test_alert_enabled(env) if test_alert is None else test_alert
    texts = {
        RECORDING_RULES_FILE: render_template(
            (TEMPLATE_DIR / "recording_rules.tmpl.yml").read_text(encoding="utf-8"), values
        ),
        ALERTS_FILE: render_template((TEMPLATE_DIR / "alerts.tmpl.yml").read_text(encoding="utf-8"), values),
        ALERTS_EXTRA_FILE: alerts_extra_text(enabled),
    }
    for name, text in texts.items():
        doc = yaml.safe_load(text)
        if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
            raise ValueError(f"{name} does not render to a rules document")
    return texts


def combined_rules_text(env: Mapping[str, str], test_alert: bool | None = None) -> str:
    """All groups in one rules document, for a single AMP rule groups namespace."""
    groups: list[object] = []
    for text in rule_texts(env, test_alert).values():
        groups.extend(yaml.safe_load(text)["groups"])
    return yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000)


def rule_names(env: Mapping[str, str]) -> dict[str, list[str]]:
    """Alert and recording rule names of the rendered files (used by tests and dashboards)."""
    alerts: list[str] = []
    records: list[str] = []
    for text in rule_texts(env, test_alert=True).values():
        for group in yaml.safe_load(text)["groups"]:
            for rule in group["rules"]:
                (alerts if "alert" in rule else records).append(rule.get("alert") or rule["record"])
    return {"alerts": alerts, "records": records}
