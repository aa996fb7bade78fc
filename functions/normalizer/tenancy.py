"""Tenant assignment of normalized events with the dynamic resolver of hotel_common.tenancy.

Events that resolve to no tenant in strict mode are dropped and counted
(message_dropped_total{function="normalizer",reason="tenant_miss_strict"}): nobody could answer them.
When the tenant map cannot be loaded at all, TenancyUnavailable propagates and the record is retried,
because guessing a hotel would answer a guest in another hotel's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from hotel_common.logging import get_logger, mask_phone
from hotel_common.metrics import metrics
from hotel_common.models import InboundMessage, StatusUpdate
from hotel_common.tenancy import TenantResolver, default_resolver

logger = get_logger("normalizer")


class TenantAssigner:
    def __init__(self, resolver: TenantResolver) -> None:
        self._resolver = resolver

    def assign(self, events: Sequence[InboundMessage | StatusUpdate]) -> list[InboundMessage | StatusUpdate]:
        if not events:
            return []
        self._resolver.ensure_fresh()
        assigned: list[InboundMessage | StatusUpdate] = []
        for event in events:
            resolution = self._resolver.resolve_event(event)
            if resolution.tenant_id is None:
                metrics.inc("message_dropped_total", function="normalizer", reason="tenant_miss_strict")
                logger.warning(
                    "event dropped: no tenant (strict mode)",
                    extra={
                        "wamid": event.wamid,
                        "kind": event.kind,
                        "phone_number_id": mask_phone(event.phone_number_id),
                    },
                )
                continue
            assigned.append(event.model_copy(update={"tenant_id": resolution.tenant_id}))
        return assigned


@cache
def resolver() -> TenantAssigner:
    return TenantAssigner(default_resolver())
