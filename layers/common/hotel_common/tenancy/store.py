"""DynamoDB adapter of the tenant store (key layout: hotel_common/tenancy/keys.py).

Takes an optional low-level client so tests hand it one bound to the moto server; every call goes through
hotel_common.aws's client config (timeouts, bounded retries).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, NoReturn

# Powertools' copy of boto3's deserializer: the read paths (every function's tenant look-ups) do not import
# boto3, which costs ~17 ms of cold start beyond the botocore they already load; writes (the admin API)
# import boto3's serializer when they first need it.
from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer

from hotel_common.retry import backoff_delay
from hotel_common.tenancy import keys
from hotel_common.tenancy.errors import IdentifierNotFound, IdentifierTaken, TenantExists, TenantNotFound
from hotel_common.tenancy.models import Identifier, IdentifierKind, Snapshot, Tenant, TenantPatch, utc_now

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class TenantPage:
    tenants: list[tuple[Tenant, list[Identifier]]]
    next_cursor: str | None


@cache
def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def _ser(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer().serialize(v) for k, v in item.items()}


def _strings(item: dict[str, str]) -> dict[str, dict[str, str]]:
    """Keys and key conditions, which are all strings here (keys.py), without the general serializer."""
    return {k: {"S": v} for k, v in item.items()}


def _de(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


class TenantStore:
    def __init__(self, table_name: str, client: Any | None = None) -> None:
        if client is None:
            from hotel_common import aws

            client = aws.client("dynamodb")
        self._db = client
        self.table_name = table_name

    # -- reads -------------------------------------------------------------------------------------

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        response = self._db.get_item(
            TableName=self.table_name, Key=_strings(keys.tenant_key(tenant_id)), ConsistentRead=True
        )
        item = response.get("Item")
        return keys.tenant_from_item(_de(item)) if item else None

    def get_with_identifiers(self, tenant_id: str) -> tuple[Tenant, list[Identifier]] | None:
        tenant: Tenant | None = None
        identifiers: list[Identifier] = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=_strings({":pk": keys.TENANT_PREFIX + tenant_id}),
            ConsistentRead=True,
        ):
            kind = keys.kind_of(item)
            if kind == "tenant":
                tenant = keys.tenant_from_item(item)
            elif kind == "link":
                identifiers.append(keys.identifier_from_item(item))
        return (tenant, identifiers) if tenant else None

    def lookup(self, identifier: str) -> str | None:
        """The tenant an identifier (already normalized) belongs to: one key read."""
        response = self._db.get_item(
            TableName=self.table_name, Key=_strings(keys.claim_key(identifier)), ConsistentRead=True
        )
        item = response.get("Item")
        return str(_de(item)["tenant_id"]) if item else None

    def list_page(self, limit: int, after: str | None = None) -> TenantPage:
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": keys.TENANT_LIST_INDEX,
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": _strings({":p": keys.TENANT_LIST_PK}),
            "Limit": limit,
        }
        if after:
            params["ExclusiveStartKey"] = _strings(keys.list_start_key(after))
        response = self._db.query(**params)
        page: list[tuple[Tenant, list[Identifier]]] = []
        for raw in response.get("Items", []):
            tenant = keys.tenant_from_item(_de(raw))
            found = self.get_with_identifiers(tenant.tenant_id)
            page.append(found if found else (tenant, []))
        last = response.get("LastEvaluatedKey")
        return TenantPage(page, str(_de(last)["gsi1sk"]) if last else None)

    def snapshot(self) -> Snapshot:
        tenants: dict[str, Tenant] = {}
        identifiers: dict[str, Identifier] = {}
        for item in self._scan():
            kind = keys.kind_of(item)
            if kind == "tenant":
                tenant = keys.tenant_from_item(item)
                tenants[tenant.tenant_id] = tenant
            elif kind == "claim":
                ident = keys.identifier_from_item(item)
                identifiers[ident.identifier] = ident
        return Snapshot(tenants, identifiers)

    # -- writes ------------------------------------------------------------------------------------

    def create_tenant(self, tenant: Tenant) -> Tenant:
        try:
            self._db.put_item(
                TableName=self.table_name,
                Item=_ser(keys.tenant_item(tenant)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self._db.exceptions.ConditionalCheckFailedException as exc:
            raise TenantExists(f"tenant {tenant.tenant_id} already exists") from exc
        return tenant

    def update_tenant(self, tenant_id: str, patch: TenantPatch) -> Tenant:
        names: dict[str, str] = {"#updated_at": "updated_at"}
        values: dict[str, Any] = {":updated_at": utc_now()}
        sets = ["#updated_at = :updated_at"]
        top = patch.model_dump(mode="json", exclude_none=True, exclude={"profile"})
        for field, value in top.items():
            names[f"#{field}"] = field
            values[f":{field}"] = value
            sets.append(f"#{field} = :{field}")
        profile = patch.profile.model_dump(exclude_none=True) if patch.profile is not None else {}
        if profile:  # DynamoDB refuses expression names that the expression does not use
            names["#profile"] = "profile"
            for field, value in profile.items():
                names[f"#p_{field}"] = field
                values[f":p_{field}"] = value
                sets.append(f"#profile.#p_{field} = :p_{field}")
        try:
            response = self._db.update_item(
                TableName=self.table_name,
                Key=_strings(keys.tenant_key(tenant_id)),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_ser(values),
                ReturnValues="ALL_NEW",
            )
        except self._db.exceptions.ConditionalCheckFailedException as exc:
            raise TenantNotFound(f"tenant {tenant_id} not found") from exc
        return keys.tenant_from_item(_de(response["Attributes"]))

    def add_identifier(self, tenant_id: str, identifier: str, kind: IdentifierKind) -> Identifier:
        ident = Identifier(identifier=identifier, tenant_id=tenant_id, kind=kind, created_at=utc_now())
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": _strings(keys.tenant_key(tenant_id)),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": _ser(keys.claim_item(ident)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self.table_name, "Item": _ser(keys.link_item(ident))}},
                ]
            )
        except self._db.exceptions.TransactionCanceledException as exc:
            _raise_cancelled(
                exc,
                TenantNotFound(f"tenant {tenant_id} not found"),
                IdentifierTaken("identifier already belongs to a tenant"),
            )
        return ident

    def remove_identifier(self, tenant_id: str, identifier: str) -> None:
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": _strings(keys.tenant_key(tenant_id)),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": _strings(keys.claim_key(identifier)),
                            "ConditionExpression": "tenant_id = :t",
                            "ExpressionAttributeValues": _strings({":t": tenant_id}),
                        }
                    },
                    {"Delete": {"TableName": self.table_name, "Key": _strings(keys.link_key(tenant_id, identifier))}},
                ]
            )
        except self._db.exceptions.TransactionCanceledException as exc:
            _raise_cancelled(
                exc,
                TenantNotFound(f"tenant {tenant_id} not found"),
                IdentifierNotFound("identifier not registered for this tenant"),
            )

    def put_items(self, items: list[dict[str, Any]]) -> int:
        """Unconditional upserts (restore): writing the same items twice leaves the same table."""
        written = 0
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": _ser(item)}} for item in items[start : start + 25]]
            pending: dict[str, Any] = {self.table_name: requests}
            for attempt in range(8):
                response = self._db.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(backoff_delay(attempt, 0.05, 2.0))  # throttled: back off with jitter
            else:
                raise RuntimeError("batch write left unprocessed items")
            written += len(requests)
        return written

    # -- paging ------------------------------------------------------------------------------------

    def _scan(self) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"TableName": self.table_name, "ConsistentRead": True}
        while True:
            response = self._db.scan(**params)
            yield from (_de(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"TableName": self.table_name, **kwargs}
        while True:
            response = self._db.query(**params)
            yield from (_de(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _raise_cancelled(exc: Exception, tenant_missing: Exception, identifier_condition: Exception) -> NoReturn:
    """Identifier transactions check the tenant first and the claim second: the failed condition says which
    domain error it was; any other cancellation is re-raised as it came."""
    reasons = [r.get("Code") for r in getattr(exc, "response", {}).get("CancellationReasons", [])]
    if reasons and reasons[0] == "ConditionalCheckFailed":
        raise tenant_missing from exc
    if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
        raise identifier_condition from exc
    raise exc
