"""pms_proxy against real Redis, the moto server (tenants table, Secrets Manager) and the fake QloApps
served over HTTP. Time is a settable clock so breaker cool-downs and cache TTLs pass without sleeping."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import redis

from functions.pms_proxy.proxy import PmsProxy
from functions.pms_proxy.wiring import build_proxy
from hotel_common import config, tenancy
from hotel_common.config import PmsProxySettings
from hotel_common.metrics import metrics
from scripts.tenants.seed import seed_demo
from tests.integration.conftest import boto
from tests.integration.pms.conftest import FakeServer, fake, fake_server  # noqa: F401 - fixtures

SOL = "hotel-sol"
# Our own database: other suites flush theirs (11, 12 e2e, 14 tenancy) while these run side by side.
PMS_REDIS_URL = os.environ.get("TEST_PMS_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(PMS_REDIS_URL, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"integration tests need Redis at {PMS_REDIS_URL}: {exc}")
    return PMS_REDIS_URL


class Clock:
    def __init__(self, start: float = 1_900_000_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@dataclass
class Env:
    fake: FakeServer
    redis: redis.Redis
    clock: Clock
    settings: PmsProxySettings
    stage: str
    aws: str
    proxies: list[PmsProxy] = field(default_factory=list)

    def new_proxy(self, redis_client: Any = None) -> PmsProxy:
        """A proxy as another Lambda container would build it (own clients, same Redis and tenants)."""
        proxy = build_proxy(self.settings, redis_client or self.redis, tenancy.get_tenant, clock=self.clock)
        self.proxies.append(proxy)
        return proxy

    def faults(self, **faults: Any) -> None:
        httpx.post(f"{self.fake.url}/_faults", json=faults, timeout=5).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.fake.url}/_faults", timeout=5).raise_for_status()

    def inventory(self, room_type_id: int, night: date) -> int:
        state = httpx.get(
            f"{self.fake.url}/_state",
            params={"date_from": night.isoformat(), "date_to": (night + timedelta(days=1)).isoformat()},
            timeout=5,
        ).json()
        return int(state["inventory"][str(room_type_id)][night.isoformat()])

    def bookings(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.fake.url}/_state", timeout=5).json()["bookings"])


@pytest.fixture
def env(
    fake: FakeServer,  # noqa: F811 - the fixture imported above
    redis_db: redis.Redis,
    deployed: Any,
    aws_env: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Env]:
    stage = os.environ["STAGE"]  # set by `deployed`
    tables = dict(deployed.table_names)
    monkeypatch.setenv("TENANTS_TABLE", tables["tenants"])
    monkeypatch.setenv("QLOAPPS_BASE_URL", fake.url)
    # Retries stay on, with delays too short to matter.
    monkeypatch.setenv("PMS_RETRY_BASE_DELAY_SECONDS", "0.001")
    monkeypatch.setenv("PMS_RETRY_MAX_DELAY_SECONDS", "0.005")
    monkeypatch.setenv("PMS_SECRET_MAX_AGE_SECONDS", "0")
    seed_demo(boto("dynamodb", aws_env), boto("secretsmanager", aws_env), stage, tables)
    config.load.cache_clear()
    tenancy.reset()
    metrics.drain()
    settings = PmsProxySettings()
    yield Env(fake, redis_db, Clock(), settings, stage, aws_env)
    tenancy.reset()
    config.load.cache_clear()


def future_stay(days_ahead: int = 30, nights: int = 2) -> tuple[date, date]:
    start = date.today() + timedelta(days=days_ahead)
    return start, start + timedelta(days=nights)


def counter(name: str, **labels: str) -> float:
    """The value recorded since the test started (the recorder is drained at setup)."""
    from hotel_common.metrics import label_key

    adds, _ = metrics.pending()
    return adds.get((name, label_key(labels)), 0.0)


def gauge(name: str, **labels: str) -> float | None:
    from hotel_common.metrics import label_key

    _, sets = metrics.pending()
    return sets.get((name, label_key(labels)))
