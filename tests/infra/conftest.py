"""Synthesize each stage once per session (bundle=false: no pip, no download) and share the result.

cdk-nag runs as a validation plugin during synthesis and raises when a finding is not acknowledged; the
fixture keeps that error (and the template written before validation) so that one test reports it and the
others still check the template.
"""

from __future__ import annotations

import os

# Before jsii starts its Node process (first aws_cdk import): no end-of-life banner on stderr.
os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra import topology
from infra.cdk.app import build

STAGES = ("dev", "prod")


@dataclass
class Synthesized:
    stage: str
    stack: cdk.Stack
    template: Template
    seconds: float
    validation_error: str | None
    report: dict[str, Any] | None
    json: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.json = dict(self.template.to_json())

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.json["Resources"]

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def logical_id(self, resource_type: str, **properties: Any) -> str:
        """The one resource of `resource_type` whose properties include `properties`."""
        found = [
            k
            for k, v in self.of_type(resource_type).items()
            if all(v.get("Properties", {}).get(p) == value for p, value in properties.items())
        ]
        assert len(found) == 1, f"{resource_type} {properties}: {found}"
        return found[0]

    def function_id(self, name: str) -> str:
        """The logical id of the topology function `name`."""
        return self.logical_id("AWS::Lambda::Function", FunctionName=topology.physical_name(self.stage, name))

    def alias_id(self, name: str, alias: str = "live") -> str:
        """The logical id of function `name`'s alias (`live` unless told)."""
        return self.logical_id("AWS::Lambda::Alias", FunctionName={"Ref": self.function_id(name)}, Name=alias)


def synthesize(stage: str, outdir: Path, **context: str) -> Synthesized:
    app = cdk.App(context={"stage": stage, "bundle": "false", **context}, outdir=str(outdir))
    stack = build(app)
    started = time.perf_counter()
    error: str | None = None
    try:
        app.synth()
    except RuntimeError as exc:  # jsii surfaces the ValidationFailed of the nag plugin as RuntimeError
        error = str(exc)
    seconds = time.perf_counter() - started
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else None
    if error is None:
        template = Template.from_stack(stack)
    else:
        template = Template.from_json(json.loads((outdir / f"{stack.artifact_id}.template.json").read_text()))
    return Synthesized(stage, stack, template, seconds, error, report)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Synthesized]]:
    cache: dict[str, Synthesized] = {}

    def get(stage: str) -> Synthesized:
        if stage not in cache:
            cache[stage] = synthesize(stage, tmp_path_factory.mktemp(f"cdk-{stage}"))
        return cache[stage]

    yield get


@pytest.fixture(scope="session", params=STAGES)
def synth(request: pytest.FixtureRequest, synthesized: Callable[[str], Synthesized]) -> Synthesized:
    return synthesized(request.param)


@pytest.fixture(scope="session")
def dev(synthesized: Callable[[str], Synthesized]) -> Synthesized:
    return synthesized("dev")


@pytest.fixture(scope="session")
def staging(synthesized: Callable[[str], Synthesized]) -> Synthesized:
    return synthesized("staging")


@pytest.fixture(scope="session")
def prod(synthesized: Callable[[str], Synthesized]) -> Synthesized:
    return synthesized("prod")
