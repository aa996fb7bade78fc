"""Single-table key design of the tenant store (table `tenants` in infra/topology.py).

    item               pk                     sk                   gsi1pk   gsi1sk       other attributes
    tenant             TENANT#<tenant_id>     META                 TENANT   <tenant_id>  the Tenant fields
    identifier link    TENANT#<tenant_id>     IDENT#<identifier>   -        -            identifier, kind
    identifier claim   IDENT#<identifier>     CLAIM                -        -            tenant_id, kind

Access patterns, each one request:
    tenant by id                  GetItem  TENANT#<id> / META
    tenant with its identifiers   Query    pk = TENANT#<id>             (strongly consistent)
    identifier -> tenant          GetItem  IDENT#<identifier> / CLAIM   (one key read, never a scan)
    tenants, paginated, by id     Query    index tenant_list, gsi1pk = TENANT (sparse: only tenant items)
    whole map (cache, backup)     Scan     paginated; the table holds hotels, not guests' conversations

An identifier belongs to one tenant only: the claim item is written with `attribute_not_exists(pk)` in the
same transaction that checks the tenant exists and writes the link, so two concurrent claims of one
identifier cannot both succeed and a link never exists without its claim.
The `tenant_list` partition holds one item per hotel and is read by operators only, so it is not hot.
"""

from __future__ import annotations

from typing import Any

from hotel_common.tenancy.models import Identifier, Tenant

TENANT_PREFIX = "TENANT#"
IDENT_PREFIX = "IDENT#"
META = "META"
CLAIM = "CLAIM"
TENANT_LIST_INDEX = "tenant_list"
TENANT_LIST_PK = "TENANT"


def tenant_key(tenant_id: str) -> dict[str, str]:
    return {"pk": TENANT_PREFIX + tenant_id, "sk": META}


def claim_key(identifier: str) -> dict[str, str]:
    return {"pk": IDENT_PREFIX + identifier, "sk": CLAIM}


def link_key(tenant_id: str, identifier: str) -> dict[str, str]:
    return {"pk": TENANT_PREFIX + tenant_id, "sk": IDENT_PREFIX + identifier}


def list_start_key(after_tenant_id: str) -> dict[str, str]:
    """ExclusiveStartKey of the tenant_list index: resume after this tenant (the pagination cursor)."""
    return {**tenant_key(after_tenant_id), "gsi1pk": TENANT_LIST_PK, "gsi1sk": after_tenant_id}


def tenant_item(tenant: Tenant) -> dict[str, Any]:
    item = tenant.model_dump(mode="json", exclude_none=True)
    return {**tenant_key(tenant.tenant_id), "gsi1pk": TENANT_LIST_PK, "gsi1sk": tenant.tenant_id, **item}


def claim_item(ident: Identifier) -> dict[str, Any]:
    return {**claim_key(ident.identifier), **ident.model_dump()}


def link_item(ident: Identifier) -> dict[str, Any]:
    return {**link_key(ident.tenant_id, ident.identifier), **ident.model_dump()}


def kind_of(item: dict[str, Any]) -> str:
    """tenant | link | claim | unknown, from the keys alone."""
    pk, sk = str(item.get("pk", "")), str(item.get("sk", ""))
    if pk.startswith(TENANT_PREFIX):
        return "tenant" if sk == META else "link" if sk.startswith(IDENT_PREFIX) else "unknown"
    return "claim" if pk.startswith(IDENT_PREFIX) and sk == CLAIM else "unknown"


_KEY_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk")


def tenant_from_item(item: dict[str, Any]) -> Tenant:
    return Tenant.model_validate(_plain({k: v for k, v in item.items() if k not in _KEY_ATTRIBUTES}))


def identifier_from_item(item: dict[str, Any]) -> Identifier:
    return Identifier.model_validate(_plain({k: v for k, v in item.items() if k not in _KEY_ATTRIBUTES}))


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the models want ints."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
