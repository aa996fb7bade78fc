"""Fixtures of the tenancy integration tests: the session's moto server (`moto_endpoint`, from
tests/integration/conftest.py), a fresh tenants table per test, real Redis on a database of its own
(flushed around each test), and the admin handler wired from the environment."""

from __future__ import annotations

import os
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
from tests.integration.conftest import free_port

__all__ = ["free_port"]

# The tenancy tests' own database (11 is tests/integration's, 12 the e2e stack's); flushed around each test.
REDIS_URL = os.environ.get("TENANCY_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
ADMIN_TOKEN = "test-admin-token-0123456789"


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
