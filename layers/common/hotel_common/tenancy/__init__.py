"""Tenants (hotels): the DynamoDB store, the per-container cache, the resolver and the directory.

Wiring for Lambda code (one cache per container, shared by the resolver and the directory):

    from hotel_common.tenancy import get_tenant, default_resolver
    tenant = get_tenant("hotel-sol")          # Tenant | None, refreshed with the version key
    resolution = default_resolver().resolve_event(event)

Settings: TenancySettings (TENANTS_TABLE, TENANCY_DYNAMIC_ENABLED, TENANCY_STRICT, TENANCY_REFRESH_SECONDS,
DEFAULT_TENANT_ID, REDIS_URL).
"""

from __future__ import annotations

import functools

from hotel_common.config import TenancySettings, load
from hotel_common.tenancy.cache import TenancyUnavailable, TenantCache
from hotel_common.tenancy.directory import TenantDirectory
from hotel_common.tenancy.errors import (
    IdentifierNotFound,
    IdentifierTaken,
    TenantExists,
    TenantNotFound,
    TenantStoreError,
)
from hotel_common.tenancy.models import (
    HotelProfile,
    Identifier,
    PmsRef,
    Snapshot,
    Tenant,
    mask_identifier,
    normalize_identifier,
)
from hotel_common.tenancy.resolver import Resolution, TenantResolver

__all__ = [
    "HotelProfile",
    "Identifier",
    "IdentifierNotFound",
    "IdentifierTaken",
    "PmsRef",
    "Resolution",
    "Snapshot",
    "TenancyUnavailable",
    "Tenant",
    "TenantCache",
    "TenantDirectory",
    "TenantExists",
    "TenantNotFound",
    "TenantResolver",
    "TenantStoreError",
    "default_cache",
    "default_directory",
    "default_resolver",
    "get_tenant",
    "loaded_tenant",
    "mask_identifier",
    "normalize_identifier",
    "reset",
]


@functools.cache
def default_cache() -> TenantCache:
    from hotel_common.redis_client import shared_read_ahead
    from hotel_common.tenancy.store import TenantStore
    from hotel_common.tenancy.version import RedisVersion

    settings = load(TenancySettings)
    return TenantCache(
        TenantStore(settings.TENANTS_TABLE),
        # Through the container's read-ahead: the version check, the first Redis read of an invocation,
        # carries the keys the function declared it will read next (ReadAhead).
        RedisVersion(shared_read_ahead(), settings.TENANTS_TABLE),
        settings.TENANCY_REFRESH_SECONDS,
    )


@functools.cache
def default_resolver() -> TenantResolver:
    settings = load(TenancySettings)
    dynamic = settings.TENANCY_DYNAMIC_ENABLED
    return TenantResolver(
        default_cache() if dynamic else None,
        settings.DEFAULT_TENANT_ID,
        dynamic=dynamic,
        strict=settings.TENANCY_STRICT,
    )


@functools.cache
def default_directory() -> TenantDirectory:
    return TenantDirectory(default_cache())


def get_tenant(tenant_id: str, *, refresh: bool = True) -> Tenant | None:
    """The tenant's record from this container's cache (see TenantDirectory.get)."""
    return default_directory().get(tenant_id, refresh=refresh)


def loaded_tenant(tenant_id: str) -> Tenant | None:
    """The tenant in the map this container holds, without loading or checking it (see TenantCache.peek)."""
    return default_cache().peek(tenant_id)


def reset() -> None:
    """Forget the container's wiring (tests that change settings or endpoints)."""
    default_cache.cache_clear()
    default_resolver.cache_clear()
    default_directory.cache_clear()
