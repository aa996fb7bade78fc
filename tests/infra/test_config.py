"""Stage configuration, context overrides and the asset builders (no synthesis)."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from infra.cdk import bundling
from infra.cdk.config import STAGES, bundle_enabled, live_versions, stage_config


def _context(**values: object):  # type: ignore[no-untyped-def]
    return values.get


def test_stage_defaults_to_dev_and_rejects_unknown_stages() -> None:
    assert stage_config(_context()).stage == "dev"
    with pytest.raises(ValueError, match="unknown stage"):
        stage_config(_context(stage="qa"))


def test_context_overrides_switches() -> None:
    config = stage_config(_context(stage="prod", grafana="true", alarm_email="ops@example.com", admin_auth="iam"))
    assert (config.grafana, config.alarm_email, config.admin_auth) == (True, "ops@example.com", "iam")
    with pytest.raises(ValueError, match="admin_auth"):
        stage_config(_context(admin_auth="basic"))


def test_bundling_is_on_unless_turned_off() -> None:
    assert bundle_enabled(_context()) is True
    assert bundle_enabled(_context(bundle="false")) is False


def test_every_stage_is_named_consistently() -> None:
    for stage, config in STAGES.items():
        assert config.stage == stage
        assert config.stack_name == f"agente-hotel-{stage}"


def test_layer_dependencies_come_from_pyproject() -> None:
    deps = bundling.layer_dependencies()
    assert any(d.startswith("aws-lambda-powertools==") for d in deps)
    assert any(d.startswith("botocore==") for d in deps), "resolved with the rest, pruned after install"


def test_unbundled_layer_and_code_assets_have_the_lambda_layout() -> None:
    layer = bundling.layer_asset(bundle=False)
    assert (layer / "python" / "hotel_common" / "__init__.py").is_file()
    code = bundling.code_asset()
    assert (code / "functions" / "__init__.py").is_file()
    assert not list(code.rglob("__pycache__")) and not list(code.rglob("tests"))


def _lambda_python_or_skip() -> str:
    try:
        return bundling.lambda_python()
    except RuntimeError as exc:
        pytest.skip(str(exc))


def test_deployable_code_asset_carries_unchecked_bytecode_for_the_runtime() -> None:
    python = _lambda_python_or_skip()
    code = bundling.code_asset(compiled=True)
    sources = list((code / "functions").rglob("*.py"))
    compiled = list((code / "functions").rglob("__pycache__/*.cpython-312.pyc"))
    assert sources and len(compiled) == len(sources)
    pyc = code / "functions" / "webhook" / "__pycache__" / "handler.cpython-312.pyc"
    assert struct.unpack("<I", pyc.read_bytes()[4:8])[0] == 0b01, "hash-based, not checked against the source"
    where = subprocess.run(
        [python, "-c", f"import marshal; print(marshal.loads(open({str(pyc)!r}, 'rb').read()[16:]).co_filename)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip() == "/var/task/functions/webhook/handler.py", "tracebacks show Lambda's paths"


def test_bundling_refuses_an_interpreter_of_another_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTE_HOTEL_LAMBDA_PYTHON", sys.executable if sys.version_info[:2] != (3, 12) else "false")
    with pytest.raises(RuntimeError, match=r"CPython 3\.12"):
        bundling.lambda_python()


def test_live_versions_pin_functions_to_published_versions() -> None:
    assert live_versions(_context()) == {}
    assert live_versions(_context(live_versions="")) == {}
    assert live_versions(_context(live_versions='{"webhook": "7", "normalizer": 3}')) == {
        "webhook": "7",
        "normalizer": "3",
    }
    assert live_versions(_context(live_versions={"webhook": "7"})) == {"webhook": "7"}  # from cdk.json


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("7", "JSON object"),
        ("{webhook: 7}", "not JSON"),
        ('{"webhok": "7"}', "does not declare: webhok"),
        ('{"webhook": "$LATEST"}', "published version number"),
        ('{"webhook": "0"}', "published version number"),
    ],
)
def test_live_versions_refuse_what_is_not_a_published_version(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        live_versions(_context(live_versions=raw))
