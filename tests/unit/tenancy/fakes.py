"""In-memory fakes of the tenancy ports (unit tests only; integration tests use moto and Redis)."""

from __future__ import annotations

from hotel_common.metrics import label_key, metrics
from hotel_common.tenancy.models import Identifier, Snapshot, Status, Tenant


class FakeSource:
    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.identifiers: dict[str, Identifier] = {}
        self.loads = 0
        self.fail = False

    def add(self, tenant_id: str, *identifiers: str, status: Status = "active", name: str = "") -> None:
        self.tenants[tenant_id] = Tenant(tenant_id=tenant_id, name=name or tenant_id.title(), status=status)
        for ident in identifiers:
            self.identifiers[ident] = Identifier(identifier=ident, tenant_id=tenant_id, kind="phone")

    def snapshot(self) -> Snapshot:
        if self.fail:
            raise ConnectionError("store down")
        self.loads += 1
        return Snapshot(dict(self.tenants), dict(self.identifiers))


class FakeVersion:
    def __init__(self) -> None:
        self.value: int | None = None
        self.fail = False
        self.reads = 0

    def current(self) -> str | None:
        self.reads += 1
        if self.fail:
            raise TimeoutError("redis down")
        return None if self.value is None else str(self.value)

    def bump(self) -> str:
        if self.fail:
            raise TimeoutError("redis down")
        self.value = (self.value or 0) + 1
        return str(self.value)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counted(name: str, **labels: str) -> float:
    adds, _sets = metrics.pending()
    return adds.get((name, label_key(labels)), 0.0)


def gauge(name: str) -> float | None:
    _adds, sets = metrics.pending()
    return sets.get((name, label_key({})))
