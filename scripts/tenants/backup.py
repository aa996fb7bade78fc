"""Backups of the tenant store as JSON: every tenant with its identifiers, in a logical format that does
not depend on the key layout (restore rebuilds the items with hotel_common.tenancy.keys).

    python -m scripts.tenants.backup [--dir backups]         -> backups/tenants-<stage>-<UTC time>.json
    python -m scripts.tenants.restore FILE

Point-in-time recovery of the table itself is configured by the CDK app; this is the portable copy
(move tenants between stages, seed a fresh emulator, review a change).
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotel_common.tenancy.store import TenantStore
from infra.topology import physical_name

FORMAT = "agente-hotel-tenants/1"


def export(store: TenantStore) -> dict[str, Any]:
    snapshot = store.snapshot()
    by_tenant: dict[str, list[dict[str, Any]]] = {}
    for ident in snapshot.identifiers.values():
        by_tenant.setdefault(ident.tenant_id, []).append(ident.model_dump())
    return {
        "format": FORMAT,
        "table": store.table_name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tenants": [
            {
                **snapshot.tenants[tenant_id].model_dump(mode="json"),
                "identifiers": sorted(by_tenant.get(tenant_id, []), key=lambda i: i["identifier"]),
            }
            for tenant_id in sorted(snapshot.tenants)
        ],
        # Claims whose tenant is gone (should not exist; kept so a backup never loses data).
        "orphan_identifiers": sorted(
            (i.model_dump() for i in snapshot.identifiers.values() if i.tenant_id not in snapshot.tenants),
            key=lambda i: str(i["identifier"]),
        ),
    }


def write_backup(store: TenantStore, directory: Path, stage: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    document = export(store)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"tenants-{stage}-{stamp}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)  # never a half-written backup under the final name
    return path


def default_store() -> tuple[TenantStore, str]:
    stage = os.environ.get("STAGE", "local")
    return TenantStore(os.environ.get("TENANTS_TABLE") or physical_name(stage, "tenants")), stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="backups", type=Path)
    args = parser.parse_args()
    store, stage = default_store()
    path = write_backup(store, args.dir, stage)
    document = json.loads(path.read_text(encoding="utf-8"))
    identifiers = sum(len(t["identifiers"]) for t in document["tenants"])
    print(f"{path}: {len(document['tenants'])} tenants, {identifiers} identifiers from {store.table_name}")


if __name__ == "__main__":
    main()
