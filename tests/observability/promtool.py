"""Build `promtool test rules` files from compact cases and run the real promtool.

Expected alerts need their annotations too (promtool compares them); they are taken from the rendered
rules, with `{{ $labels.x }}` expanded, so a test states only the label sets it expects to fire.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from scripts.observability import render, rules

JOB = "agente-hotel"
_LABEL_REF = re.compile(r"\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def series(metric: str, values: str, labels: Mapping[str, str]) -> dict[str, str]:
    """An input series with the labels the exporter adds (job) plus the given ones."""
    all_labels = {"job": JOB, **labels}
    body = ",".join(f'{k}="{v}"' for k, v in all_labels.items())
    return {"series": f"{metric}{{{body}}}", "values": values}


def counter(segments: Sequence[tuple[int, float]], step_minutes: int = 1) -> str:
    """Expanding notation for a counter growing `per_minute` during each (minutes, per_minute) segment.

    The first segment starts at 0 at t=0; the series spans sum(minutes) with one sample per step.
    """
    parts: list[str] = []
    value = 0.0
    for index, (minutes, per_minute) in enumerate(segments):
        steps = minutes // step_minutes
        inc = per_minute * step_minutes
        if index:  # continue one step after the previous segment's last sample
            value += inc
            steps -= 1
        parts.append(f"{_num(value)}+{_num(inc)}x{steps}")
        value += inc * steps
    return " ".join(parts)


def _num(value: float) -> str:
    return f"{round(value, 6):g}" if abs(value) < 1e15 else repr(value)


def load_alert_rules(rules_dir: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(rules_dir.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    found[rule["alert"]] = rule
    return found


def expected_alerts(rule: Mapping[str, Any], label_sets: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
    out = []
    for own in label_sets:
        labels = {**own, **rule.get("labels", {})}
        annotations = {
            key: _LABEL_REF.sub(lambda m, lab=labels: lab.get(m.group(1), ""), text)  # type: ignore[misc]
            for key, text in rule.get("annotations", {}).items()
        }
        out.append({"exp_labels": labels, "exp_annotations": annotations})
    return out


class RulesTest:
    """One promtool test file over the rules rendered in `out_dir/rules/`."""

    def __init__(self, out_dir: Path, evaluation_interval: str = "1m") -> None:
        self.out_dir = out_dir
        self.evaluation_interval = evaluation_interval
        self.alert_rules = load_alert_rules(out_dir / render.RULES_SUBDIR)
        self.groups: list[dict[str, Any]] = []
        # Alerts with at least one expectation that fires them / that finds them quiet.
        self.fired: set[str] = set()
        self.quiet: set[str] = set()

    def group(self, interval: str, input_series: list[dict[str, str]]) -> dict[str, Any]:
        group: dict[str, Any] = {
            "interval": interval,
            "input_series": input_series,
            "alert_rule_test": [],
            "promql_expr_test": [],
        }
        self.groups.append(group)
        return group

    def expect_alerts(
        self,
        group: dict[str, Any],
        alertname: str,
        eval_time: str,
        label_sets: Iterable[Mapping[str, str]],
        absent_rule: bool = False,
    ) -> None:
        """`absent_rule` states that the rule is not loaded at all (a disabled synthetic alert)."""
        assert (alertname not in self.alert_rules) == absent_rule, f"{alertname} loaded: {not absent_rule}"
        rule = self.alert_rules.get(alertname, {})
        label_sets = list(label_sets)
        (self.fired if label_sets else self.quiet).add(alertname)
        group["alert_rule_test"].append(
            {"eval_time": eval_time, "alertname": alertname, "exp_alerts": expected_alerts(rule, label_sets)}
        )

    def uncovered(self, alertnames: Iterable[str]) -> list[str]:
        """Alerts lacking a firing or a quiet expectation."""
        return sorted(a for a in alertnames if a not in self.fired or a not in self.quiet)

    def expect_value(self, group: dict[str, Any], selector: str, eval_time: str, value: float) -> None:
        """`selector` names one recorded series completely (name and every label), e.g. a{stage="s"}."""
        group["promql_expr_test"].append(
            {"expr": selector, "eval_time": eval_time, "exp_samples": [{"labels": selector, "value": value}]}
        )

    def run(self, name: str) -> str:
        doc = {
            "rule_files": [f"{render.RULES_SUBDIR}/{f}" for f in rules.RULE_FILES],
            "evaluation_interval": self.evaluation_interval,
            "tests": [{k: v for k, v in g.items() if v} for g in self.groups],
        }
        path = self.out_dir / f"{name}.test.yml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000))
        done = subprocess.run(
            ["promtool", "test", "rules", path.name],
            cwd=self.out_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"promtool test rules {path}:\n{done.stdout}\n{done.stderr}"
        return done.stdout
