"""Every function of the topology, as the template declares it."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from infra import topology
from infra.cdk import functions as cdk_functions
from infra.cdk.config import STAGES
from tests.infra.conftest import Synthesized


def _function(synth: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    logical = synth.logical_id("AWS::Lambda::Function", FunctionName=topology.physical_name(synth.stage, name))
    return logical, synth.resources[logical]["Properties"]


def _policy_statements(synth: Synthesized, function_props: dict[str, Any]) -> list[dict[str, Any]]:
    role = function_props["Role"]["Fn::GetAtt"][0]
    statements = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


@pytest.mark.parametrize("spec", topology.FUNCTIONS, ids=lambda f: f.name)
def test_function_has_handler_runtime_architecture_and_limits(synth: Synthesized, spec: topology.Function) -> None:
    synth.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": topology.physical_name(synth.stage, spec.name),
            "Handler": spec.handler,
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "Timeout": spec.timeout_seconds,
            "MemorySize": spec.memory_mb,
            "TracingConfig": {"Mode": "Active"},
            "LoggingConfig": Match.object_like({"LogFormat": "JSON"}),
            "Layers": Match.any_value(),
        },
    )
    _, props = _function(synth, spec.name)
    assert props.get("ReservedConcurrentExecutions") == spec.reserved_concurrency


@pytest.mark.parametrize("spec", topology.FUNCTIONS, ids=lambda f: f.name)
def test_environment_is_the_topology_plus_resolved_references(synth: Synthesized, spec: topology.Function) -> None:
    _, props = _function(synth, spec.name)
    env = props["Environment"]["Variables"]
    config = STAGES[synth.stage]
    assert {k: env[k] for k in spec.environment} == dict(spec.environment)
    assert env["STAGE"] == synth.stage
    assert env["ENVIRONMENT"] == config.environment
    for var, queue in spec.queue_urls.items():
        queue_name = topology.queue_physical_name(synth.stage, topology.queue(queue))
        assert env[var] == {"Ref": synth.logical_id("AWS::SQS::Queue", QueueName=queue_name)}
    for var, table in spec.table_names.items():
        table_id = synth.logical_id("AWS::DynamoDB::GlobalTable", TableName=topology.physical_name(synth.stage, table))
        assert env[var] == {"Ref": table_id}
    for var in spec.bucket_names:
        assert set(env[var]) == {"Ref"}, f"{var} must be the bucket's name, resolved by CloudFormation"
    if spec.uses_redis:
        assert env["REDIS_URL"]["Fn::Join"][1][0] == "rediss://"
        assert "REDIS_AUTH_SECRET_ARN" in env
        assert props["VpcConfig"]["SubnetIds"]


@pytest.mark.parametrize("spec", topology.FUNCTIONS, ids=lambda f: f.name)
def test_each_function_has_its_own_least_privilege_role(synth: Synthesized, spec: topology.Function) -> None:
    _, props = _function(synth, spec.name)
    roles = [p["Properties"]["Role"] for p in synth.of_type("AWS::Lambda::Function").values()]
    assert roles.count(props["Role"]) == 1
    statements = _policy_statements(synth, props)
    for statement in statements:
        assert not any(a == "*" or a.endswith(":*") for a in _actions(statement)), statement
        if statement["Resource"] == "*":
            assert all(a.startswith(("xray:", "ec2:")) for a in _actions(statement)), statement
    sends = [s for s in statements if "sqs:SendMessage" in _actions(s)]
    assert len(sends) == len(set(spec.queue_urls.values()))


def test_secrets_follow_the_settings_models(synth: Synthesized) -> None:
    """A function gets a secret's ARN (and read) when its settings model reads what the secret holds."""
    for spec in topology.FUNCTIONS:
        _, props = _function(synth, spec.name)
        env = props["Environment"]["Variables"]
        fields = cdk_functions.settings_fields(spec.name) or frozenset()
        wants_whatsapp = "WHATSAPP_APP_SECRET" in fields
        assert ("WHATSAPP_SECRET_ARN" in env) == wants_whatsapp, spec.name
        assert ("ADMIN_API_TOKEN_SECRET_ARN" in env) == ("ADMIN_API_TOKEN" in fields), spec.name


def test_the_admin_function_reads_the_admin_token() -> None:
    admin_functions = {r.function for r in topology.ROUTES if r.path.startswith("/admin")}
    for name in admin_functions:
        assert "ADMIN_API_TOKEN_SECRET_ARN" in (cdk_functions.settings_fields(name) or ())


def test_one_shared_layer_built_for_arm64_python312(synth: Synthesized) -> None:
    synth.template.resource_count_is("AWS::Lambda::LayerVersion", 1)
    synth.template.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["arm64"]},
    )


def _versions_of(synth: Synthesized, function_id: str) -> dict[str, dict[str, Any]]:
    return {
        k: v
        for k, v in synth.of_type("AWS::Lambda::Version").items()
        if v["Properties"]["FunctionName"] == {"Ref": function_id}
    }


@pytest.mark.parametrize("spec", topology.FUNCTIONS, ids=lambda f: f.name)
def test_function_publishes_a_retained_version_behind_a_live_alias(synth: Synthesized, spec: topology.Function) -> None:
    ((version_id, version),) = _versions_of(synth, synth.function_id(spec.name)).items()
    # Retained: a pinned alias or a canary still routes to older versions after the next deploy.
    assert version["DeletionPolicy"] == "Retain" and version["UpdateReplacePolicy"] == "Retain"
    alias = synth.resources[synth.alias_id(spec.name)]["Properties"]
    assert alias["Name"] == cdk_functions.LIVE_ALIAS == "live"
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    # Weights belong to the canary tooling; a RoutingConfig here would reset them on every deploy.
    assert "RoutingConfig" not in alias
    assert "ProvisionedConcurrencyConfig" not in alias


def test_the_orchestrator_invokes_the_pms_proxy_alias_only(synth: Synthesized) -> None:
    _, props = _function(synth, "orchestrator")
    alias = {"Ref": synth.alias_id("pms_proxy")}
    invokes = [s for s in _policy_statements(synth, props) if "lambda:InvokeFunction" in _actions(s)]
    assert [s["Resource"] for s in invokes] == [alias], "the alias ARN only: no $LATEST, no `:*`"
    setting = cdk_functions.invoke_setting("pms_proxy")
    assert setting == "PMS_PROXY_FUNCTION" and setting in (cdk_functions.settings_fields("orchestrator") or ())
    assert props["Environment"]["Variables"][setting] == alias
