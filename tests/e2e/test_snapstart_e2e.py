"""With SnapStart, a function's before-snapshot hooks (`hotel_common.snapstart.prime` in each handler) do
its late imports and create its AWS clients once, before the snapshot. A late import the hooks miss is paid
again by every restored environment on its first guest message: this test runs each function's first
invocation, as `make bench` does, in a fresh interpreter after its hooks, and lists what it still imported.
The bench's library floors (scripts/bench/floors.py) run here too, so a floor that stopped doing its work
fails here rather than printing a wrong figure in `make bench`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from infra import topology
from scripts.bench import cold, floors
from scripts.local.stack import LocalConfig, LocalStack, free_port

pytestmark = pytest.mark.e2e
APP_SECRET = "snapstart-app-secret"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The stack's servers (emulator, Redis, fakes) without its function workers: the samples run the
    functions in interpreters of their own."""
    environment = {
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "LOCAL_PROMETHEUS": "off",
        "LOCAL_SKIP_FUNCTIONS": ",".join(f.name for f in topology.FUNCTIONS),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    state_dir: Path = tmp_path_factory.mktemp("snapstart-stack")
    config = LocalConfig.on_free_ports(
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # embedded by the stack: no shared keys
        log_level="ERROR",
        state_dir=state_dir,
    )
    with mock.patch.dict(os.environ, environment):
        running = LocalStack(config).start()
        try:
            yield running
        finally:
            running.stop()


def test_after_its_snapstart_hooks_no_function_imports_anything_on_its_first_invocation(stack: LocalStack) -> None:
    cases = cold.case_environments(stack, APP_SECRET)
    assert {case.function for case, _, _ in cases.values()} == {f.name for f in topology.FUNCTIONS}
    # The measure itself: without the hooks, the webhook's first delivery imports botocore and redis.
    case, function, env = cases["webhook POST text message"]
    unprimed = cold.sample(case, function, env, primed=False)["imported_by_first_call"]
    assert {"botocore.client", "redis.client"} <= set(unprimed)

    still_imported = {
        row: result["imported_by_first_call"]
        for row, (case, function, env) in cases.items()
        if (result := cold.sample(case, function, env, primed=True))["imported_by_first_call"]
    }
    assert still_imported == {}, "add these to the function's snapstart.prime(modules=...)"


def test_every_cold_case_has_a_library_floor_that_does_the_same_kinds_of_calls(stack: LocalStack) -> None:
    cases = cold.case_environments(stack, APP_SECRET)
    assert set(floors.FLOORS) == set(cases)
    params = cold.floor_params(stack, cases)
    # Each floor asserts its own answers (a 200, an empty batchItemFailures, a QloApps read with the tenant's
    # key from Secrets Manager): a floor that fails early raises instead of passing for a fast one.
    timings = {
        row: cold.floor_sample(row, case.event(), env, params, cold.VENV) for row, (case, _, env) in cases.items()
    }
    assert all(ms > 0 for ms in timings.values()), timings
