"""Every alert has a runbook, and the operator docs name only make targets that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
OPERATIONS = (ROOT / "docs" / "OPERATIONS.md").read_text()


def _alerts() -> list[str]:
    text = (ROOT / "observability" / "prometheus" / "alerts.tmpl.yml").read_text()
    rules = yaml.safe_load(re.sub(r"\$\{[A-Z_]+\}", "1", text))
    return [
        r["alert"] for group in rules["groups"] for r in group["rules"] if "alert" in r and r["alert"] != "AlwaysFiring"
    ]


@pytest.mark.parametrize("alert", _alerts())
def test_each_alert_has_a_runbook_heading(alert: str) -> None:
    headings = [line for line in OPERATIONS.splitlines() if line.startswith("### ")]
    assert any(re.search(rf"\b{alert}\b", h) for h in headings), f"no runbook for {alert}"


@pytest.mark.parametrize("doc", ["docs/OPERATIONS.md", "CONTRIBUTING.md", "docs/DOD_CHECKLIST.md"])
def test_documented_make_targets_exist(doc: str) -> None:
    text = "\n".join(p.read_text() for p in [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))])
    targets = set(re.findall(r"^([a-zA-Z0-9_-]+):", text, flags=re.M))
    used = set(re.findall(r"`make ([a-z][a-z0-9-]*)", (ROOT / doc).read_text()))
    assert used and used <= targets, used - targets
