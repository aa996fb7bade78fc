"""What the admin API does, in plain Python over the store, the version key and the cache.

Every change bumps the version key so every container reloads its tenant map at its next invocation.
If the bump fails the change is still saved (DynamoDB is the truth); containers then see it at their
periodic refresh, and the failure is counted and logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.tenancy.cache import TenantCache, VersionSource
from hotel_common.tenancy.errors import IdentifierNotFound, TenantNotFound
from hotel_common.tenancy.models import (
    Identifier,
    IdentifierCreate,
    IdentifierKind,
    Snapshot,
    Tenant,
    TenantCreate,
    TenantPatch,
    mask_identifier,
    normalize_identifier,
    utc_now,
)

logger = get_logger()
DASHBOARD_MAX_TENANTS = 1000


class Store(Protocol):
    def snapshot(self) -> Snapshot: ...
    def get_with_identifiers(self, tenant_id: str) -> tuple[Tenant, list[Identifier]] | None: ...
    def list_page(self, limit: int, after: str | None = None) -> TenantPageLike: ...
    def create_tenant(self, tenant: Tenant) -> Tenant: ...
    def update_tenant(self, tenant_id: str, patch: TenantPatch) -> Tenant: ...
    def add_identifier(self, tenant_id: str, identifier: str, kind: IdentifierKind) -> Identifier: ...
    def remove_identifier(self, tenant_id: str, identifier: str) -> None: ...


class TenantPageLike(Protocol):
    @property
    def tenants(self) -> list[tuple[Tenant, list[Identifier]]]: ...
    @property
    def next_cursor(self) -> str | None: ...


class InvalidRequest(ValueError):
    pass


class PropagationUnavailable(Exception):
    """The version key could not be bumped: other containers will not reload now."""


@dataclass(frozen=True)
class RefreshResult:
    version: str
    tenants: int
    active: int
    identifiers: int


class TenantAdmin:
    def __init__(self, store: Store, version: VersionSource, cache: TenantCache) -> None:
        self._store, self._version, self._cache = store, version, cache

    def list_page(self, limit: int, cursor: str | None) -> TenantPageLike:
        return self._store.list_page(limit, cursor)

    def all_tenants(self) -> list[tuple[Tenant, list[Identifier]]]:
        """Every tenant with its identifiers (the dashboard): one paginated scan, not a query per tenant."""
        snapshot = self._store.snapshot()
        by_tenant: dict[str, list[Identifier]] = {}
        for ident in snapshot.identifiers.values():
            by_tenant.setdefault(ident.tenant_id, []).append(ident)
        return [(snapshot.tenants[t], by_tenant.get(t, [])) for t in sorted(snapshot.tenants)][:DASHBOARD_MAX_TENANTS]

    def get(self, tenant_id: str) -> tuple[Tenant, list[Identifier]]:
        found = self._store.get_with_identifiers(tenant_id)
        if found is None:
            raise TenantNotFound(f"tenant {tenant_id} not found")
        return found

    def create(self, body: TenantCreate) -> Tenant:
        tenant = self._store.create_tenant(body.to_tenant(utc_now()))
        self._changed("tenant_created", tenant.tenant_id)
        return tenant

    def update(self, tenant_id: str, patch: TenantPatch) -> Tenant:
        if patch.is_empty():  # a merge patch with nothing in it changes nothing
            return self.get(tenant_id)[0]
        tenant = self._store.update_tenant(tenant_id, patch)
        self._changed("tenant_updated", tenant_id)
        return tenant

    def add_identifier(self, tenant_id: str, body: IdentifierCreate) -> Identifier:
        identifier, inferred = self._normalize(body.identifier)
        ident = self._store.add_identifier(tenant_id, identifier, body.kind or inferred)
        self._changed("identifier_added", tenant_id, identifier)
        return ident

    def remove_identifier(self, tenant_id: str, raw: str) -> str:
        try:
            identifier, _kind = normalize_identifier(raw)
        except ValueError as exc:
            # Nothing that fails normalization was ever stored.
            raise IdentifierNotFound("identifier not registered for this tenant") from exc
        self._store.remove_identifier(tenant_id, identifier)
        self._changed("identifier_removed", tenant_id, identifier)
        return identifier

    def refresh(self) -> RefreshResult:
        """Bump the version (every container reloads at its next invocation) and reload this one."""
        version = self._bump()
        if version is None:
            raise PropagationUnavailable("version key unavailable")
        snapshot = self._cache.refresh()
        active = {t for t, tenant in snapshot.tenants.items() if tenant.active}
        return RefreshResult(
            version=version,
            tenants=len(snapshot.tenants),
            active=len(active),
            identifiers=sum(1 for i in snapshot.identifiers.values() if i.tenant_id in active),
        )

    @staticmethod
    def _normalize(raw: str) -> tuple[str, IdentifierKind]:
        try:
            return normalize_identifier(raw)
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from exc

    def _changed(self, action: str, tenant_id: str, identifier: str = "") -> None:
        version = self._bump()
        logger.info(
            "tenant change",
            extra={
                "action": action,
                "tenant_id": tenant_id,
                "identifier": mask_identifier(identifier),
                "version": version,
            },
        )

    def _bump(self) -> str | None:
        try:
            return self._version.bump()
        except Exception as exc:
            metrics.inc("tenant_refresh_errors_total", reason="version_bump_failed")
            logger.warning("tenant version bump failed", extra={"error": type(exc).__name__})
            return None
