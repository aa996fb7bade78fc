"""Per-tenant PMS credentials: tenant → its QloApps (base URL, hotel id) → the webservice key.

The tenant record (hotel_common.tenancy) names the Secrets Manager secret that holds the key; the key is
read with Powertools parameters (cached per container for `max_age`, so a rotated key is picked up within
it) and never logged. One QloAppsClient per tenant and key is kept per container (its HTTP connection
pool survives between invocations); a new key gets a new client.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.pms.errors import PmsError
from hotel_common.pms.metered import MeteredTransport
from hotel_common.pms.qloapps import QloAppsClient
from hotel_common.pms.service import ServiceError
from hotel_common.tenancy import TenancyUnavailable, Tenant

logger = get_logger()


@dataclass(frozen=True)
class PmsConnection:
    tenant_id: str
    base_url: str
    hotel_id: int
    api_key: str
    check_out_time: str = "11:00"
    late_checkout_policy: str = ""

    def __repr__(self) -> str:  # the key must never reach a log line through a repr
        return f"PmsConnection(tenant_id={self.tenant_id!r}, base_url={self.base_url!r}, hotel_id={self.hotel_id})"


class PmsConnectionResolver(Protocol):
    def resolve(self, tenant_id: str) -> PmsConnection:
        """The tenant's PMS connection, or PmsError (not_found, invalid_request, upstream_error)."""
        ...


class TenantSecretsResolver:
    """The real resolver: the tenant directory plus Secrets Manager."""

    def __init__(
        self,
        get_tenant: Callable[[str], Tenant | None],
        get_secret: Callable[[str], Any],
        *,
        secret_prefix: str = "",
    ) -> None:
        self._get_tenant = get_tenant
        self._get_secret = get_secret
        self._prefix = secret_prefix

    def resolve(self, tenant_id: str) -> PmsConnection:
        try:
            tenant = self._get_tenant(tenant_id)
        except TenancyUnavailable as exc:
            raise _refused("upstream_error", "tenant store unavailable", "tenancy_unavailable") from exc
        if tenant is None:
            raise _refused("not_found", f"unknown tenant {tenant_id}", "unknown_tenant")
        if not tenant.active:
            raise _refused("invalid_request", f"tenant {tenant_id} is inactive", "inactive_tenant")
        if tenant.pms is None:
            raise _refused("invalid_request", f"tenant {tenant_id} has no PMS configured", "no_pms")
        ref = tenant.pms
        if self._prefix and not ref.secret_name.startswith(self._prefix):
            # The function may only read its stage's PMS keys; a record naming another secret is a mistake.
            raise _refused("upstream_error", f"tenant {tenant_id}: PMS secret outside this stage", "secret_outside")
        try:
            raw = self._get_secret(ref.secret_name)
        except Exception as exc:
            logger.error(
                "PMS key unreadable",
                extra={"tenant_id": tenant_id, "secret": ref.secret_name, "error": type(exc).__name__},
            )
            raise _refused("upstream_error", f"tenant {tenant_id}: PMS key unavailable", "secret_unavailable") from exc
        key = (raw.decode() if isinstance(raw, bytes) else str(raw or "")).strip()
        if not key:
            raise _refused("upstream_error", f"tenant {tenant_id}: PMS key is empty", "secret_unavailable")
        return PmsConnection(
            tenant_id=tenant_id,
            base_url=ref.base_url,
            hotel_id=ref.hotel_id,
            api_key=key,
            check_out_time=tenant.profile.check_out_time,
            late_checkout_policy=tenant.profile.late_checkout_policy,
        )


def _refused(type_: Any, message: str, reason: str) -> PmsError:
    metrics.inc("pms_errors_total", operation="resolve_tenant", error_type=reason)
    logger.warning("pms connection refused", extra={"reason": reason, "detail": message})
    return ServiceError(type_, message, reason)


class ClientPool:
    """QloAppsClient per (tenant, base URL, key), with metered transports; thread-safe."""

    def __init__(self, *, read_timeout: float, booking_timeout: float) -> None:
        self._read_timeout = read_timeout
        self._booking_timeout = booking_timeout
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], tuple[QloAppsClient, httpx.Client]] = {}

    def client(self, conn: PmsConnection) -> QloAppsClient:
        fingerprint = hashlib.sha256(conn.api_key.encode()).hexdigest()[:16]
        key = (conn.tenant_id, conn.base_url, fingerprint)
        with self._lock:
            entry = self._clients.get(key)
            if entry is None:
                for old in [k for k in self._clients if k[0] == conn.tenant_id]:
                    self._clients.pop(old)[1].close()  # the key rotated or the PMS moved
                http = httpx.Client(transport=MeteredTransport(httpx.HTTPTransport()))
                client = QloAppsClient(
                    conn.base_url,
                    conn.api_key,
                    timeout=self._read_timeout,
                    booking_timeout=self._booking_timeout,
                    http=http,
                )
                entry = self._clients[key] = (client, http)
            return entry[0]

    def close(self) -> None:
        with self._lock:
            for _client, http in self._clients.values():
                http.close()
            self._clients.clear()
