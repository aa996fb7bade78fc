"""A real Prometheus for the pipeline tests: installed when missing (never skipped), started on a free
loopback port with a temporary TSDB, the remote-write receiver and the rendered rules."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from hotel_common import redis_client
from scripts.local.prometheus import prometheus_yaml, wait_ready
from scripts.observability import tools
from scripts.observability.render import render_all
from tests.integration.conftest import free_port

# Exact sums must not meet another suite's FLUSHDB: every Redis database number is taken by some suite,
# so these tests run their own redis-server unless PIPELINE_TEST_REDIS_URL points at one.
PIPELINE_REDIS_URL = os.environ.get("PIPELINE_TEST_REDIS_URL", "")


@dataclass
class LocalPrometheus:
    url: str

    @property
    def write_url(self) -> str:
        return f"{self.url}/api/v1/write"

    def query(self, expr: str) -> list[dict[str, Any]]:
        body = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10).json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def value(self, expr: str) -> float:
        (result,) = self.query(expr)
        return float(result["value"][1])

    def raw_samples(self, selector: str, window: str = "5m") -> list[tuple[int, float]]:
        """The stored samples (ms, value) of the one series matching `selector`."""
        (result,) = self.query(f"{selector}[{window}]")
        return [(round(float(ts) * 1000), float(v)) for ts, v in result["values"]]


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrometheus]:
    try:
        tools.ensure_tools()
    except RuntimeError as exc:
        pytest.fail(f"cannot install prometheus: {exc}", pytrace=False)
    binary = shutil.which("prometheus")
    assert binary is not None
    root: Path = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    paths = render_all(root / "config", {})
    paths["prometheus"].write_text(prometheus_yaml("127.0.0.1", port, None), encoding="utf-8")
    log = (root / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={paths['prometheus']}",
            f"--storage.tsdb.path={root / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
            "--web.enable-lifecycle",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_ready(url):
            pytest.fail(f"prometheus did not start:\n{(root / 'prometheus.log').read_text()[-3000:]}")
        yield LocalPrometheus(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def pipeline_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if PIPELINE_REDIS_URL:
        yield PIPELINE_REDIS_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("these tests need redis-server (apt-get install redis-server) or PIPELINE_TEST_REDIS_URL")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.RedisError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_db(pipeline_redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    """Like the integration suite's redis_db (a clean database, also REDIS_URL), on a Redis of its own."""
    client = redis.Redis.from_url(pipeline_redis_url, socket_timeout=2)
    monkeypatch.setenv("REDIS_URL", pipeline_redis_url)
    client.flushdb()
    redis_client.get_redis.cache_clear()
    yield client
    client.flushdb()
    redis_client.get_redis.cache_clear()


@pytest.fixture
def stage() -> str:
    """A stage label of its own per test: the tests share one Prometheus."""
    return "t" + uuid.uuid4().hex[:8]


def eventually(check: Any, timeout: float = 10.0) -> Any:
    """Poll until `check()` returns a truthy value (Prometheus makes appended samples queryable at once,
    rule results only at the next evaluation)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)
