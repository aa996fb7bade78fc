"""SnapStart hooks: what a function registers, and the order the local stack runs them in (Lambda's)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
import snapshot_restore_py

from hotel_common import aws, snapstart
from scripts.local.runtime import run_snapstart_hooks


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Any], list[Any]]]:
    before: list[Any] = []
    after: list[Any] = []
    monkeypatch.setattr(snapshot_restore_py, "_before_snapshot_registry", before)
    monkeypatch.setattr(snapshot_restore_py, "_after_restore_registry", after)
    yield before, after


def test_prime_registers_one_before_snapshot_hook_with_the_functions_work(hooks: tuple[list[Any], list[Any]]) -> None:
    before, after = hooks
    assert snapstart.prime(modules=("json",), aws_clients=("sqs",)) is True
    assert before == [(snapstart.warm, (("json",), ("sqs",)), {})]
    assert after == []


def test_prime_is_a_no_op_outside_a_snapstart_runtime(
    hooks: tuple[list[Any], list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as on dev's $LATEST
    assert snapstart.prime(modules=("json",)) is False
    assert hooks == ([], [])


def test_warm_imports_the_modules_and_creates_the_clients_without_calling_aws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "xml.dom.minidom", raising=False)
    # No endpoint answers here: creating a client must not connect (a snapshot keeps no socket).
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    aws.reset_clients()
    try:
        snapstart.warm(("xml.dom.minidom",), ("sqs", "dynamodb"))
        assert "xml.dom.minidom" in sys.modules
        assert "encodings.idna" in sys.modules
        assert aws.client.cache_info().currsize == 2
        assert aws.client("sqs").meta.service_model.service_name == "sqs"
    finally:
        aws.reset_clients()


def test_the_local_runtime_runs_hooks_in_lambdas_order(hooks: tuple[list[Any], list[Any]]) -> None:
    ran: list[str] = []
    snapshot_restore_py.register_before_snapshot(ran.append, "before, registered first")
    snapshot_restore_py.register_before_snapshot(ran.append, "before, registered second")
    snapshot_restore_py.register_after_restore(ran.append, "after, registered first")
    snapshot_restore_py.register_after_restore(ran.append, "after, registered second")
    assert run_snapstart_hooks() == 4
    assert ran == [
        "before, registered second",
        "before, registered first",
        "after, registered first",
        "after, registered second",
    ]


def test_warm_is_best_effort_so_a_failing_hook_never_stops_a_version_from_publishing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_credentials(service: str) -> Any:
        raise RuntimeError("no credentials during init")

    monkeypatch.setattr(aws, "client", no_credentials)
    snapstart.warm(("no_such_module_here", "json"), ("sqs",))
    assert "json" in sys.modules
    messages = [record.getMessage() for record in caplog.records]
    assert any("no_such_module_here" in m for m in messages)
    assert any("sqs client" in m for m in messages)
