"""Tenant assignment of normalized events (the dynamic resolver of the tenancy issue plugs in here)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from hotel_common.config import NormalizerSettings, load
from hotel_common.models import InboundMessage, StatusUpdate


class DefaultTenantResolver:
    def __init__(self, default_tenant_id: str) -> None:
        self._default = default_tenant_id

    def assign(self, events: Sequence[InboundMessage | StatusUpdate]) -> list[InboundMessage | StatusUpdate]:
        return [event.model_copy(update={"tenant_id": event.tenant_id or self._default}) for event in events]


@cache
def resolver() -> DefaultTenantResolver:
    return DefaultTenantResolver(load(NormalizerSettings).DEFAULT_TENANT_ID)
