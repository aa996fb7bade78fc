"""Fixtures of the tenancy integration tests: one moto server per session, a fresh tenants table per test,
real Redis on a database of its own (flushed per test), and the admin handler wired from the environment."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import redis

from hotel_common import aws, tenancy
from hotel_common.config import load
from hotel_common.metrics import metrics
from hotel_common.redis_client import get_redis
from infra.topology import table
from scripts.tenants.tables import create_table

REDIS_DB = 12  # the tenancy tests' own database; flushed before and after each test
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
ADMIN_TOKEN = "test-admin-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def reset_wiring() -> None:
    """Forget every per-container cache that captured settings, clients or endpoints."""
    from functions.normalizer import tenancy as normalizer_tenancy
    from functions.tenant_admin import handler as admin_handler

    load.cache_clear()
    aws.reset_clients()
    get_redis.cache_clear()
    tenancy.reset()
    normalizer_tenancy.resolver.cache_clear()
    admin_handler.reset()
    metrics.drain()


@pytest.fixture
def env(moto_endpoint: str, redis_db: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A fresh tenants table on moto and the settings every tenancy component reads."""
    name = f"agente-hotel-test-tenants-{uuid.uuid4().hex[:8]}"
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    create_table(dynamodb, table("tenants"), name)
    values = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "TENANTS_TABLE": name,
        "REDIS_URL": REDIS_URL,
        "ADMIN_API_TOKEN": ADMIN_TOKEN,
        "ADMIN_RATE_LIMIT": "1000/minute",
        "TENANCY_DYNAMIC_ENABLED": "true",
        "TENANCY_STRICT": "false",
        "DEFAULT_TENANT_ID": "hotel-sol",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    reset_wiring()
    yield {"table": name, "dynamodb": dynamodb, "redis": redis_db, "endpoint": moto_endpoint}
    reset_wiring()
    dynamodb.delete_table(TableName=name)
