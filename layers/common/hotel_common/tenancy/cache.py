"""The container's copy of the tenant map, in plain Python.

A Lambda container keeps the whole map (tenants and identifier claims) between invocations and reloads it
when it is older than the refresh interval, or at once when the version key moved: every admin change
bumps that key in Redis, and each invocation compares it (one GET) with the version it loaded, so every
container sees a change within one invocation after the change. Without Redis the interval still bounds
staleness; without the store a stale map keeps serving, and only a container that never loaded one fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.tenancy.models import Identifier, Snapshot, Tenant

logger = get_logger()

# After a Redis error, version checks pause for this long so a dead Redis does not add its timeout to
# every record; the refresh interval still applies meanwhile.
VERSION_RETRY_SECONDS = 5.0


class SnapshotSource(Protocol):
    def snapshot(self) -> Snapshot: ...


class VersionSource(Protocol):
    def current(self) -> str | None: ...

    def bump(self) -> str: ...


class TenancyUnavailable(Exception):
    """No map could ever be loaded in this container: the caller must retry later, not guess a tenant."""


class TenantCache:
    def __init__(
        self,
        source: SnapshotSource,
        version: VersionSource | None,
        refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source, self._version = source, version
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._loaded_version: str | None = None
        self._loaded_at = 0.0
        self._version_paused_until = 0.0

    def ensure_fresh(self) -> None:
        """Reload when stale or when the version key moved (call once per invocation or batch)."""
        with self._lock:
            now = self._clock()
            if self._snapshot is None or now - self._loaded_at >= self._refresh_seconds:
                self._reload(self._read_version(now))
                return
            version = self._read_version(now)
            if version is not None and version != self._loaded_version:
                self._reload(version)

    def refresh(self) -> Snapshot:
        """Reload now (the admin refresh endpoint)."""
        with self._lock:
            self._reload(self._read_version(self._clock()))
            assert self._snapshot is not None
            return self._snapshot

    def tenant(self, tenant_id: str) -> Tenant | None:
        return self._require().tenants.get(tenant_id)

    def owner(self, identifier: str) -> Identifier | None:
        return self._require().identifiers.get(identifier)

    def peek(self, tenant_id: str) -> Tenant | None:
        """The tenant in the map held now: no load, no version check, None before the first load. For a
        guess that a checked read confirms (which key to read ahead), never for a decision."""
        snapshot = self._snapshot
        return snapshot.tenants.get(tenant_id) if snapshot is not None else None

    @property
    def loaded_version(self) -> str | None:
        return self._loaded_version

    def _require(self) -> Snapshot:
        if self._snapshot is None:
            self.ensure_fresh()
        assert self._snapshot is not None
        return self._snapshot

    def _read_version(self, now: float) -> str | None:
        if self._version is None or now < self._version_paused_until:
            return None
        try:
            return self._version.current()
        except Exception as exc:
            self._version_paused_until = now + VERSION_RETRY_SECONDS
            metrics.inc("tenant_refresh_errors_total", reason="version_unavailable")
            logger.warning("tenant version key unreadable", extra={"error": type(exc).__name__})
            return None

    def _reload(self, version: str | None) -> None:
        started = time.perf_counter()
        try:
            snapshot = self._source.snapshot()
        except Exception as exc:
            metrics.inc("tenant_refresh_errors_total", reason="store_unavailable")
            logger.warning(
                "tenant map refresh failed",
                extra={"error": type(exc).__name__, "serving_stale": self._snapshot is not None},
            )
            if self._snapshot is None:
                raise TenancyUnavailable("tenant store unavailable and no map loaded") from exc
            # Serve the stale map; try again at the next invocation rather than at the next interval.
            self._loaded_at = self._clock() - self._refresh_seconds
            return
        self._snapshot = snapshot
        # With Redis down the version is unknown: keep the old one so the next readable value, if it moved,
        # still triggers a reload.
        self._loaded_version = version if version is not None else self._loaded_version
        self._loaded_at = self._clock()
        active = {t for t, tenant in snapshot.tenants.items() if tenant.active}
        metrics.observe("tenant_refresh_latency_seconds", time.perf_counter() - started)
        metrics.set("tenants_active_total", len(active))
        metrics.set(
            "tenant_identifiers_cached_total",
            sum(1 for ident in snapshot.identifiers.values() if ident.tenant_id in active),
        )
        logger.info(
            "tenant map refreshed",
            extra={"tenants": len(snapshot.tenants), "active": len(active), "identifiers": len(snapshot.identifiers)},
        )
