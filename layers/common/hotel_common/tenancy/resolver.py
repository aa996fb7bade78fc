"""Which hotel a normalized event belongs to, in the original system's order:

    explicitly provided -> the business phone_number_id (then its display number) -> the guest's
    identifier -> the default tenant, or in strict mode a rejection (`miss_strict`).

Only active tenants resolve: an identifier of an inactive tenant counts as unknown. With dynamic tenancy
off nothing is looked up and everything goes to the default tenant. Each resolution is counted in
`tenant_resolution_total{result}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from hotel_common.metrics import metrics
from hotel_common.models import InboundMessage, StatusUpdate
from hotel_common.tenancy.cache import TenantCache
from hotel_common.tenancy.models import normalize_identifier

Result = Literal["provided", "hit", "default", "miss_strict"]


@dataclass(frozen=True)
class Resolution:
    tenant_id: str | None  # None only for miss_strict
    result: Result
    matched: str = ""  # business | guest, for hits


class TenantResolver:
    def __init__(self, cache: TenantCache | None, default_tenant_id: str, *, dynamic: bool, strict: bool) -> None:
        if dynamic and cache is None:
            raise ValueError("dynamic tenancy needs a tenant cache")
        self._cache, self._default = cache, default_tenant_id
        self.dynamic, self.strict = dynamic, strict

    def ensure_fresh(self) -> None:
        if self.dynamic and self._cache is not None:
            self._cache.ensure_fresh()

    def resolve(
        self, *, provided: str | None = None, business: Iterable[str] = (), guest: Iterable[str] = ()
    ) -> Resolution:
        resolution = self._resolve(provided, business, guest)
        metrics.inc("tenant_resolution_total", result=resolution.result)
        return resolution

    def resolve_event(self, event: InboundMessage | StatusUpdate) -> Resolution:
        business: tuple[str, ...]
        guest: tuple[str, ...]
        if isinstance(event, InboundMessage):
            business = (event.phone_number_id, event.display_phone_number)
            guest = (event.guest_wa_id,)
        else:
            business, guest = (event.phone_number_id,), (event.recipient_id,)
        return self.resolve(provided=event.tenant_id, business=business, guest=guest)

    def _resolve(self, provided: str | None, business: Iterable[str], guest: Iterable[str]) -> Resolution:
        if provided:
            return Resolution(provided, "provided")
        if not self.dynamic or self._cache is None:
            return Resolution(self._default, "default")
        for matched, candidates in (("business", business), ("guest", guest)):
            for raw in candidates:
                tenant_id = self._active_owner(raw)
                if tenant_id:
                    return Resolution(tenant_id, "hit", matched)
        if self.strict:
            return Resolution(None, "miss_strict")
        return Resolution(self._default, "default")

    def _active_owner(self, raw: str) -> str | None:
        if not raw:
            return None
        try:
            identifier, _kind = normalize_identifier(raw)
        except ValueError:
            return None
        assert self._cache is not None
        owner = self._cache.owner(identifier)
        if owner is None:
            return None
        tenant = self._cache.tenant(owner.tenant_id)
        return tenant.tenant_id if tenant is not None and tenant.active else None
