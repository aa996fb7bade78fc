"""Integration fixtures: a real moto server (the AWS wire protocol) and a real Redis over TCP."""

from __future__ import annotations

import importlib
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
import redis

from hotel_common import aws, config, redis_client
from hotel_common import metrics as hotel_metrics

REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server app as the local stack serves it (scripts/local/aws_emulator.py), on a free port."""
    from scripts.local.aws_emulator import serve_in_thread

    port = free_port()
    server = serve_in_thread("127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Points every boto3 client (ours included) at the moto server for one test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    aws.reset_clients()
    yield moto_endpoint
    aws.reset_clients()


def boto(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:  # CI and the dev machines run Redis on 6379
        pytest.fail(f"integration tests need Redis at {REDIS_TEST_URL}: {exc}")
    return REDIS_TEST_URL


@pytest.fixture
def redis_db(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    """A clean Redis database for one test, also the one our code gets from REDIS_URL."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    # A previous test's dead Redis must not leave the metrics flush backing off into this one.
    monkeypatch.setattr(hotel_metrics, "_flush_backoff", None)
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    redis_client.get_redis.cache_clear()
    yield client
    client.flushdb()
    redis_client.get_redis.cache_clear()


@pytest.fixture
def deployed(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The topology's queues, tables and buckets on the emulator under a fresh stage name."""
    from scripts.local import resources

    stage = "t" + uuid.uuid4().hex[:8]
    result = resources.deploy(
        stage, boto("sqs", aws_env), boto("dynamodb", aws_env), boto("s3", aws_env), visibility_override=1
    )
    monkeypatch.setenv("STAGE", stage)
    return result


def fresh_module(name: str) -> ModuleType:
    """(Re)import a handler module after the test set its environment, as a new Lambda container would."""
    config.load.cache_clear()
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)


def serve_in_thread(app: Any, port: int) -> Any:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return server


@pytest.fixture
def fake_graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    from scripts.fakes.graph import GraphState, create_app

    state = GraphState(access_token="graph-test-token")
    port = free_port()
    server = serve_in_thread(create_app(state), port)
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("WHATSAPP_API_BASE_URL", url)
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "graph-test-token")
    yield url, state
    server.should_exit = True


def webhook_environment(monkeypatch: pytest.MonkeyPatch, deployed: Any, app_secret: str) -> None:
    """The webhook's environment against the emulator's queues and bucket (what the CDK app passes)."""
    monkeypatch.setenv("INBOUND_QUEUE_URL", deployed.queue_urls["inbound"])
    monkeypatch.setenv("PAYLOAD_BUCKET", deployed.bucket_names["payloads"])
    monkeypatch.setenv("WHATSAPP_APP_SECRET", app_secret)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "it-verify")
    monkeypatch.delenv("DEBUG", raising=False)
