"""The whole local stack (`make local`) as a fixture: started once per session on free ports, with its
own Redis database, driven over HTTP like a newcomer would drive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.integration.conftest import free_port


def ensure_observability_tools() -> None:
    """The stack starts Prometheus and Alertmanager when installed; in tests they must be (CI installs them)."""
    try:
        from scripts.observability.tools import ensure_tools
    except ImportError:
        return
    ensure_tools()


ROOT = Path(__file__).resolve().parents[2]
# Unset: a Redis of its own for the session (the stack embeds redis-server on a free port), so concurrent
# test sessions on one machine never flush or read each other's keys.
E2E_REDIS_URL = os.environ.get("E2E_REDIS_URL", "")
APP_SECRET = "e2e-app-secret"
VERIFY_TOKEN = "e2e-verify-token"


@dataclass
class RunningStack:
    api: str
    invoke: str
    aws: str
    graph: str
    qloapps: str
    prometheus: str
    alertmanager: str
    redis_url: str
    app_secret: str
    verify_token: str
    env: dict[str, str]
    output: list[str] = field(default_factory=list)

    @property
    def webhook(self) -> str:
        return f"{self.api}/webhooks/whatsapp"

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        params = {"to": to} if to else {}
        return list(httpx.get(f"{self.graph}/_sent", params=params, timeout=5).json())

    def wait_for_replies(self, to: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = self.sent(to)
            if len(replies) >= count:
                return replies
            time.sleep(0.05)
        return self.sent(to)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    names = ("aws", "api", "invoke", "graph", "qloapps", "prometheus", "alertmanager", "smtp")
    ports = {name: free_port() for name in names}
    redis_url = E2E_REDIS_URL or f"redis://127.0.0.1:{free_port()}/0"
    if E2E_REDIS_URL:
        redis.Redis.from_url(redis_url).flushdb()
    ensure_observability_tools()
    state_dir = tmp_path_factory.mktemp("local-stack")
    env = stack_environment(
        ports,
        redis_url,
        state_dir,
        {
            "LOCAL_PROMETHEUS_PORT": str(ports["prometheus"]),
            "LOCAL_ALERTMANAGER_PORT": str(ports["alertmanager"]),
        },
    )
    process, output, ready = start_stack_process(env, state_dir)
    if not ready.wait(timeout=120) or process.poll() is not None:
        process.kill()
        pytest.fail("local stack did not start:\n" + "".join(output[-60:]))
    stack = RunningStack(
        **stack_urls(ports),
        redis_url=redis_url,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        env=env,
        output=output,
    )
    yield stack
    stop_stack_process(process)


def stack_urls(ports: dict[str, int]) -> dict[str, str]:
    """The URLs of a test stack's servers on its ports (Prometheus and Alertmanager only when it runs them)."""
    names = ("api", "invoke", "aws", "graph", "qloapps", "prometheus", "alertmanager")
    return {name: f"http://127.0.0.1:{ports[name]}" if name in ports else "" for name in names}


def stack_environment(
    ports: dict[str, int], redis_url: str, state_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of a test stack: its own ports, Redis and state, short retries, known secrets."""
    env = {
        **os.environ,
        "LOCAL_AWS_PORT": str(ports["aws"]),
        "LOCAL_API_PORT": str(ports["api"]),
        "LOCAL_INVOKE_PORT": str(ports["invoke"]),
        "FAKE_GRAPH_PORT": str(ports["graph"]),
        "FAKE_QLOAPPS_PORT": str(ports["qloapps"]),
        "LOCAL_SMTP_PORT": str(ports["smtp"]),
        "REDIS_URL": redis_url,
        "LOCAL_STATE_DIR": str(state_dir),
        "LOCAL_VISIBILITY_TIMEOUT_SECONDS": "3",
        "LOCAL_LOG_LEVEL": "INFO",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }
    env.pop("AWS_ENDPOINT_URL", None)
    return env


def start_stack_process(
    env: dict[str, str], state_dir: Path
) -> tuple[subprocess.Popen[str], list[str], threading.Event]:
    """`python -m scripts.local.stack` in its own process group; its output is kept (and written to
    state_dir/stack.out) and the event is set when it prints READY."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.local.stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        with (state_dir / "stack.out").open("w") as log:
            for line in process.stdout:
                output.append(line)
                log.write(line)
                log.flush()
                if line.strip() == "READY":
                    ready.set()

    threading.Thread(target=pump, daemon=True).start()
    return process, output, ready


def stop_stack_process(process: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
