"""Load a tenants backup (scripts/tenants/backup.py) into an empty or existing table.

Idempotent: every item is written as it is in the backup (upsert), so restoring the same file twice gives
the same table, and items the backup does not mention are left alone. The file is validated whole before
anything is written. After loading, the version key is bumped so running containers reload their map.

    python -m scripts.tenants.restore backups/tenants-local-....json [--create-table]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hotel_common.tenancy import keys
from hotel_common.tenancy.models import Identifier, Tenant
from hotel_common.tenancy.store import TenantStore
from scripts.tenants.backup import FORMAT, default_store


class BackupError(ValueError):
    pass


def items_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    if document.get("format") != FORMAT:
        raise BackupError(f"not a {FORMAT} backup (format={document.get('format')!r})")
    items: list[dict[str, Any]] = []
    for raw in document.get("tenants", []):
        fields = {k: v for k, v in raw.items() if k != "identifiers"}
        tenant = Tenant.model_validate(fields)
        items.append(keys.tenant_item(tenant))
        for ident_raw in raw.get("identifiers", []):
            ident = Identifier.model_validate(ident_raw)
            if ident.tenant_id != tenant.tenant_id:
                raise BackupError(f"identifier listed under {tenant.tenant_id} belongs to {ident.tenant_id}")
            items += [keys.claim_item(ident), keys.link_item(ident)]
    for ident_raw in document.get("orphan_identifiers", []):
        items.append(keys.claim_item(Identifier.model_validate(ident_raw)))
    claims = [item["pk"] for item in items if keys.kind_of(item) == "claim"]
    if len(claims) != len(set(claims)):
        raise BackupError("an identifier appears twice")
    return items


def restore(store: TenantStore, document: dict[str, Any]) -> int:
    return store.put_items(items_of(document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--create-table", action="store_true", help="create the table first if it is missing")
    args = parser.parse_args()
    store, _stage = default_store()
    if args.create_table:
        from hotel_common import aws
        from infra.topology import table
        from scripts.tenants.tables import create_table

        create_table(aws.client("dynamodb"), table("tenants"), store.table_name)
    written = restore(store, json.loads(args.file.read_text(encoding="utf-8")))
    _bump_version(store.table_name)
    print(f"{args.file}: {written} items written to {store.table_name}")


def _bump_version(table_name: str) -> None:
    from hotel_common.redis_client import get_redis
    from hotel_common.tenancy.version import RedisVersion

    try:
        RedisVersion(get_redis(), table_name).bump()
    except Exception as exc:
        print(f"warning: version key not bumped ({type(exc).__name__}); containers reload at their next refresh")


if __name__ == "__main__":
    main()
