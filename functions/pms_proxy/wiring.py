"""Builds the real PmsProxy of a container from its settings: the tenant directory and Secrets Manager
for credentials, one QloAppsClient per tenant, and per invocation a PmsService around it with the
tenant's shared breaker, cache, lock and idempotency records in Redis."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from functions.pms_proxy.connections import ClientPool, PmsConnection, TenantSecretsResolver
from functions.pms_proxy.proxy import PmsProxy
from hotel_common import aws
from hotel_common.config import PmsSettings
from hotel_common.pms.breaker import pms_breaker
from hotel_common.pms.cache import AvailabilityQuery, PmsCache, availability_key, room_types_key
from hotel_common.pms.safety import BookingLock, IdempotencyStore
from hotel_common.pms.service import PmsService, RetryPolicy
from hotel_common.redis_client import ReadAhead
from hotel_common.tenancy import Tenant


@dataclass(frozen=True)
class CacheReadAhead:
    """Declares the cache entry an availability or room-types request reads first, so that it rides on the
    tenant map's version check (`ReadAhead`; the caches read through `reads`). The hotel, part of the key,
    comes from the map the container holds: if the check reloads it with another hotel, the key read ahead
    is never asked for and the cache reads its own."""

    reads: ReadAhead
    loaded_tenant: Callable[[str], Tenant | None]

    def __call__(
        self, tenant_id: str, operation: str, query: AvailabilityQuery | None
    ) -> AbstractContextManager[object]:
        tenant = self.loaded_tenant(tenant_id)
        key = None
        if tenant is not None and tenant.pms is not None:
            if query is not None:
                key = availability_key(tenant_id, tenant.pms.hotel_id, query)
            elif operation == "room_types":
                key = room_types_key(tenant_id, tenant.pms.hotel_id)
        return self.reads.expecting(key)


def service_factory(
    settings: PmsSettings,
    redis_client: Any,
    pool: ClientPool,
    *,
    clock: Callable[[], float] | None = None,
    cache_reads: Any | None = None,
) -> Callable[[PmsConnection], PmsService]:
    """`cache_reads`: the client the caches read through (a ReadAhead), by default `redis_client`."""
    now = clock or time.time
    # A create may hold its nights for the booking call and the look-up after an uncertain answer.
    hold = settings.PMS_BOOKING_TIMEOUT_SECONDS + settings.PMS_RETRY_DEADLINE_SECONDS + 30
    retry = RetryPolicy(
        attempts=settings.PMS_RETRY_ATTEMPTS,
        base_delay=settings.PMS_RETRY_BASE_DELAY_SECONDS,
        max_delay=settings.PMS_RETRY_MAX_DELAY_SECONDS,
        deadline=settings.PMS_RETRY_DEADLINE_SECONDS,
    )

    def build(conn: PmsConnection) -> PmsService:
        tenant = conn.tenant_id
        return PmsService(
            tenant,
            conn.hotel_id,
            pool.client(conn),
            breaker=pms_breaker(
                tenant,
                redis_client,
                threshold=settings.PMS_BREAKER_FAILURE_THRESHOLD,
                cooldown=settings.PMS_BREAKER_COOLDOWN_SECONDS,
                trial_lease=settings.PMS_BREAKER_TRIAL_TIMEOUT_SECONDS,
                clock=now,
            ),
            cache=PmsCache(
                cache_reads if cache_reads is not None else redis_client,
                tenant,
                conn.hotel_id,
                availability_ttl=settings.PMS_CACHE_AVAILABILITY_TTL_SECONDS,
                room_types_ttl=settings.PMS_CACHE_ROOM_TYPES_TTL_SECONDS,
                stale_ttl=settings.PMS_CACHE_STALE_TTL_SECONDS,
                clock=now,
            ),
            idempotency=IdempotencyStore(
                redis_client, tenant, ttl=settings.PMS_IDEMPOTENCY_TTL_SECONDS, pending_timeout=hold, clock=now
            ),
            lock=BookingLock(
                redis_client, tenant, conn.hotel_id, ttl=hold, wait=settings.PMS_BOOKING_LOCK_WAIT_SECONDS
            ),
            retry=retry,
            find_scan=settings.PMS_FIND_SCAN,
            claim_wait=settings.PMS_BOOKING_LOCK_WAIT_SECONDS,
            clock=now,
        )

    return build


def build_proxy(
    settings: PmsSettings,
    redis_client: Any,
    get_tenant: Callable[[str], Any],
    *,
    clock: Callable[[], float] | None = None,
    read_ahead: CacheReadAhead | None = None,
) -> PmsProxy:
    secrets = SecretsProvider(boto3_client=aws.client("secretsmanager"))
    resolver = TenantSecretsResolver(
        get_tenant,
        lambda name: secrets.get(name, max_age=settings.PMS_SECRET_MAX_AGE_SECONDS),
        secret_prefix=settings.PMS_SECRET_PREFIX,
    )
    pool = ClientPool(
        read_timeout=settings.PMS_READ_TIMEOUT_SECONDS, booking_timeout=settings.PMS_BOOKING_TIMEOUT_SECONDS
    )
    cache_reads = read_ahead.reads if read_ahead is not None else None
    services = service_factory(settings, redis_client, pool, clock=clock, cache_reads=cache_reads)
    return PmsProxy(resolver, services, read_ahead)
