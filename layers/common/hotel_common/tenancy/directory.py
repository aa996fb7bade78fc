"""Read access to tenants for the functions that act for a hotel (the orchestrator names the hotel, reads
its profile and its PMS reference). Served from the same per-container cache as the resolver, so it is
refreshed by the same version key."""

from __future__ import annotations

from hotel_common.tenancy.cache import TenantCache
from hotel_common.tenancy.models import Tenant


class TenantDirectory:
    def __init__(self, cache: TenantCache) -> None:
        self._cache = cache

    def get(self, tenant_id: str, *, refresh: bool = True) -> Tenant | None:
        """The tenant, active or not (the caller decides what an inactive hotel means), or None.
        `refresh` checks the version key first (one Redis GET); pass False inside a batch already checked."""
        if refresh:
            self._cache.ensure_fresh()
        return self._cache.tenant(tenant_id)
