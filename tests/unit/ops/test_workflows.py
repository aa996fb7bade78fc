"""The GitHub automation: workflows and dependabot.yml parse, respect the guardrails, call real make
targets, and the deploy path assumes a role by OIDC and rolls the alias back on a failed canary."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.ops import guardrails

ROOT = Path(__file__).resolve().parents[3]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LIMITS = guardrails.load()


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _make_targets() -> set[str]:
    text = "\n".join(p.read_text() for p in [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))])
    return set(re.findall(r"^([a-zA-Z0-9_-]+):", text, flags=re.M))


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_expected_workflows_exist() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "preflight.yml", "perf-smoke.yml", "_deploy.yml"} <= names
    assert {"deploy-dev.yml", "deploy-staging.yml", "deploy-prod.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_is_well_formed(path: Path) -> None:
    workflow = _load(path)
    assert workflow.get("name") and workflow.get("on") and workflow.get("jobs")
    assert "permissions" in workflow, "least privilege: every workflow states its token permissions"
    for job_id, job in workflow["jobs"].items():
        assert "uses" in job or "runs-on" in job, job_id
        if "runs-on" in job:
            assert job.get("timeout-minutes"), f"{job_id} has no timeout"
            assert job["timeout-minutes"] <= LIMITS["MAX_DEPLOY_DURATION_MINUTES"]
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.search(r"@v\d+$|@[0-9a-f]{40}$", step["uses"]), f"unpinned action {step['uses']}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_make_targets_called_by_workflows_exist(path: Path) -> None:
    targets = _make_targets()
    for step in _steps(_load(path)):
        for target in re.findall(r"\bmake ([a-z][a-z0-9-]*)", step.get("run", "")):
            assert target in targets, f"{path.name}: make {target} does not exist"


def test_ci_runs_make_test_within_the_ci_guardrail() -> None:
    ci = _load(ROOT / ".github" / "workflows" / "ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    job = ci["jobs"]["test"]
    assert job["timeout-minutes"] <= LIMITS["MAX_CI_DURATION_MINUTES"]
    assert any(step.get("run", "").strip() == "make test" for step in job["steps"])


def test_preflight_feeds_the_security_gate_into_the_preflight() -> None:
    steps = _steps(_load(ROOT / ".github" / "workflows" / "preflight.yml"))
    security = next(s for s in steps if "make security-fast" in s.get("run", ""))
    preflight = next(s for s in steps if s.get("run") == "make preflight")
    assert preflight["env"]["SECURITY_GATE"] == "${{ steps." + security["id"] + ".outputs.gate }}"
    assert {"READINESS_SCORE", "MVP_SCORE", "CHANGE_COMPLEXITY"} <= set(preflight["env"])


def test_perf_smoke_runs_the_gate_against_the_local_stack() -> None:
    steps = _steps(_load(ROOT / ".github" / "workflows" / "perf-smoke.yml"))
    assert any(s.get("run", "").startswith("make perf-smoke") for s in steps)
    assert not any("PERF_TARGET" in s.get("run", "") for s in steps), "the local stack, never a remote URL"


def test_deploy_assumes_a_role_by_oidc_deploys_and_rolls_back_on_a_failed_canary() -> None:
    deploy = _load(ROOT / ".github" / "workflows" / "_deploy.yml")
    assert "workflow_call" in deploy["on"]
    assert deploy["permissions"]["id-token"] == "write"
    job = deploy["jobs"]["deploy"]
    assert job["timeout-minutes"] <= LIMITS["MAX_DEPLOY_DURATION_MINUTES"]
    assert job["environment"] == "${{ inputs.stage }}"
    steps = job["steps"]
    names = [s.get("uses", s.get("run", "")) for s in steps]
    credentials = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials"))
    assert "role-to-assume" in credentials["with"]
    assert not any(k in credentials["with"] for k in ("aws-access-key-id", "aws-secret-access-key"))
    order = [i for i, n in enumerate(names) if "make deploy" in n or "make canary-deploy" in n]
    assert len(order) == 2 and order[0] < order[1]
    # The deploy only publishes (aliases pinned), or the canary would find the new versions already live.
    assert "CANARY=1" in names[order[0]].split()
    rollback = next(s for s in steps if "make canary-rollback" in s.get("run", ""))
    assert "failure()" in rollback["if"] and "steps.canary.outcome == 'failure'" in rollback["if"]


@pytest.mark.parametrize("stage", ["dev", "staging", "prod"])
def test_one_deploy_workflow_per_stage(stage: str) -> None:
    caller = _load(ROOT / ".github" / "workflows" / f"deploy-{stage}.yml")
    job = caller["jobs"]["deploy"]
    assert job["uses"] == "./.github/workflows/_deploy.yml" and job["with"]["stage"] == stage
    assert caller["permissions"]["id-token"] == "write"
    if stage == "prod":
        assert set(caller["on"]) == {"workflow_dispatch"}, "production is deployed by hand only"


def test_dependabot_security_and_patch_updates_spread_over_the_week() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"pip", "npm", "github-actions"}
    days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
    assert updates["pip"]["schedule"]["day"] == "monday"
    for ecosystem in ("npm", "github-actions"):
        assert days.index(updates[ecosystem]["schedule"]["day"]) > 0, f"{ecosystem} later in the week"
    for ecosystem, update in updates.items():
        assert update["schedule"]["interval"] == "weekly"
        assert 1 <= update["open-pull-requests-limit"] <= 5, ecosystem
        ignored = {t for rule in update["ignore"] if rule["dependency-name"] == "*" for t in rule["update-types"]}
        assert ignored == {"version-update:semver-major", "version-update:semver-minor"}, ecosystem


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint not installable here (see CONTRIBUTING)")
def test_actionlint() -> None:
    done = subprocess.run(["actionlint", "-color=never"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
