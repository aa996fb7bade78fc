"""Backups round-trip, restores are idempotent, and the demo seed gives the local stack its two hotels."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from hotel_common.tenancy.store import TenantStore
from infra.topology import table
from scripts.tenants.backup import export, write_backup
from scripts.tenants.restore import BackupError, items_of, restore
from scripts.tenants.seed import pms_secret_name, seed_demo
from scripts.tenants.tables import create_table
from tests.integration.tenancy.helpers import SOL, call

pytestmark = pytest.mark.integration


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("created_at", "table")}


def fresh_table(env: dict[str, Any]) -> str:
    name = f"agente-hotel-test-restore-{uuid.uuid4().hex[:8]}"
    create_table(env["dynamodb"], table("tenants"), name)
    return name


def populate() -> None:
    assert call("POST", "/admin/tenants", SOL).status == 201
    assert call("POST", "/admin/tenants", {"tenant_id": "harbor-view", "name": "Harbor View Inn"}).status == 201
    for tenant_id, identifier in (
        ("hotel-sol", "100000000000001"),
        ("hotel-sol", "maria@example.com"),
        ("harbor-view", "+1 555 000 0002"),
    ):
        assert call("POST", f"/admin/tenants/{tenant_id}/identifiers", {"identifier": identifier}).status == 201
    assert call("PATCH", "/admin/tenants/harbor-view", {"status": "inactive"}).status == 200


def test_backup_then_restore_into_an_empty_table_round_trips(env: dict[str, Any], tmp_path: Path) -> None:
    populate()
    path = write_backup(TenantStore(env["table"]), tmp_path / "backups", "test")
    assert path.name.startswith("tenants-test-") and path.suffix == ".json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [t["tenant_id"] for t in document["tenants"]] == ["harbor-view", "hotel-sol"]
    assert sum(len(t["identifiers"]) for t in document["tenants"]) == 3

    target = TenantStore(fresh_table(env))
    restore(target, document)
    assert comparable(export(target)) == comparable(document)
    # Every access pattern works on the restored table, not only the scan.
    assert target.lookup("100000000000001") == "hotel-sol"
    found = target.get_with_identifiers("hotel-sol")
    assert found is not None and len(found[1]) == 2
    assert [t.tenant_id for t, _ in target.list_page(10).tenants] == ["harbor-view", "hotel-sol"]
    env["dynamodb"].delete_table(TableName=target.table_name)


def test_restore_is_idempotent_and_keeps_items_it_does_not_mention(env: dict[str, Any]) -> None:
    populate()
    store = TenantStore(env["table"])
    document = export(store)
    assert call("POST", "/admin/tenants", {"tenant_id": "new-inn", "name": "New Inn"}).status == 201
    assert call("PATCH", "/admin/tenants/hotel-sol", {"name": "Renamed"}).status == 200
    restore(store, document)
    restore(store, document)
    after = export(store)
    assert [t["tenant_id"] for t in after["tenants"]] == ["harbor-view", "hotel-sol", "new-inn"]
    assert next(t for t in after["tenants"] if t["tenant_id"] == "hotel-sol")["name"] == "Hotel Sol de Mayo"
    assert env["dynamodb"].scan(TableName=env["table"], Select="COUNT")["Count"] == 3 + 2 * 3


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other/9"),
        lambda d: d["tenants"][0].update(tenant_id="BAD ID"),
        lambda d: d["tenants"][0]["identifiers"][0].update(tenant_id="someone-else"),
        lambda d: d["tenants"][1]["identifiers"].append(dict(d["tenants"][0]["identifiers"][0])),
    ],
)
def test_a_bad_backup_is_refused_before_anything_is_written(env: dict[str, Any], mutate: Any) -> None:
    populate()
    document = export(TenantStore(env["table"]))
    mutate(document)
    target = TenantStore(fresh_table(env))
    with pytest.raises((BackupError, ValueError)):
        items_of(document)
    assert env["dynamodb"].scan(TableName=target.table_name, Select="COUNT")["Count"] == 0
    env["dynamodb"].delete_table(TableName=target.table_name)


def test_seed_demo_is_idempotent_and_keeps_keys_out_of_the_table(env: dict[str, Any]) -> None:
    secrets = boto3.client("secretsmanager", endpoint_url=env["endpoint"], region_name="us-east-1")
    stage = f"t{uuid.uuid4().hex[:6]}"
    tables = {"tenants": env["table"]}
    seed_demo(env["dynamodb"], secrets, stage, tables)
    assert call("PATCH", "/admin/tenants/hotel-sol", {"profile": {"wifi": "edited by an operator"}}).status == 200
    seed_demo(env["dynamodb"], secrets, stage, tables)

    store = TenantStore(env["table"])
    assert store.lookup("100000000000001") == "hotel-sol"
    assert store.lookup("34600000001") == "hotel-sol"
    assert store.lookup("100000000000002") == "harbor-view"
    assert store.lookup("15550000002") == "harbor-view"
    sol, harbor = store.get_tenant("hotel-sol"), store.get_tenant("harbor-view")
    assert sol is not None and harbor is not None
    assert (sol.name, sol.language, sol.timezone) == ("Hotel Sol de Mayo", "es", "Europe/Madrid")
    assert (harbor.name, harbor.language, harbor.timezone) == ("Harbor View Inn", "en", "America/New_York")
    assert sol.profile.wifi == "edited by an operator"  # a second seed does not undo operators' edits
    assert sol.pms is not None and harbor.pms is not None
    assert (sol.pms.hotel_id, harbor.pms.hotel_id) == (1, 2)
    assert sol.pms.secret_name == pms_secret_name(stage, "hotel-sol") == f"agente-hotel/{stage}/pms/hotel-sol"

    from scripts.tenants.seed import demo_keys

    keys = demo_keys()
    for tenant in (sol, harbor):
        assert tenant.pms is not None
        value = secrets.get_secret_value(SecretId=tenant.pms.secret_name)["SecretString"]
        assert value == keys[tenant.tenant_id] and len(value) == 32
    assert not any(key in repr(env["dynamodb"].scan(TableName=env["table"])["Items"]) for key in keys.values())
    assert len(store.snapshot().identifiers) == 4
