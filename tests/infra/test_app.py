"""The app as the CDK CLI runs it (cdk.json's command, context in CDK_CONTEXT_JSON), and the optional
switches (IAM authorizer on admin routes, Managed Grafana) synthesizing clean under cdk-nag."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from infra import topology
from infra.cdk.bundling import REPO_ROOT
from tests.infra.conftest import Synthesized, synthesize


def test_cdk_json_app_command_synthesizes_like_the_cli(tmp_path: Path) -> None:
    command = shlex.split(json.loads((REPO_ROOT / "cdk.json").read_text())["app"])
    env = {
        **os.environ,
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps({"stage": "prod", "bundle": "false"}),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    template = json.loads((tmp_path / "agente-hotel-prod.template.json").read_text())
    names = {
        r["Properties"].get("FunctionName")
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    assert names == {topology.physical_name("prod", f.name) for f in topology.FUNCTIONS}
    assert "Node 20 is end-of-life" not in result.stderr


def test_iam_authorizer_and_grafana_switches(tmp_path: Path, synthesized: Callable[[str], Synthesized]) -> None:
    synth = synthesize("dev", tmp_path, admin_auth="iam", grafana="true")
    assert synth.validation_error is None, synth.validation_error
    for route in synth.of_type("AWS::ApiGatewayV2::Route").values():
        admin = route["Properties"]["RouteKey"].split(" ", 1)[1].startswith("/admin")
        assert route["Properties"].get("AuthorizationType", "NONE") == ("AWS_IAM" if admin else "NONE")
    (grafana,) = synth.of_type("AWS::Grafana::Workspace").values()
    assert grafana["Properties"]["DataSources"] == ["PROMETHEUS"]
    assert "GrafanaUrl" in synth.json["Outputs"]


def test_pinned_live_versions_keep_the_alias_while_the_deploy_publishes(tmp_path: Path, prod: Synthesized) -> None:
    """`make deploy CANARY=1`: the webhook's alias stays on version 7 (the canary moves it later), the new
    version is still published, unpinned functions follow it, and the alias is the same resource."""
    pinned = synthesize("prod", tmp_path, live_versions=json.dumps({"webhook": "7"}))
    assert pinned.validation_error is None, pinned.validation_error
    webhook = pinned.function_id("webhook")
    versions = [
        v
        for v in pinned.of_type("AWS::Lambda::Version").values()
        if v["Properties"]["FunctionName"] == {"Ref": webhook}
    ]
    assert len(versions) == 1, "the deploy publishes the new version even when the alias is pinned"
    alias = pinned.resources[pinned.alias_id("webhook")]["Properties"]
    assert alias["FunctionVersion"] == "7"
    assert alias["FunctionName"] == {"Ref": webhook}
    assert pinned.alias_id("webhook") == prod.alias_id("webhook"), "same logical id: updated in place, not replaced"
    normalizer = pinned.resources[pinned.alias_id("normalizer")]["Properties"]
    assert normalizer["FunctionVersion"]["Fn::GetAtt"][1] == "Version"
