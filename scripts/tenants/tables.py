"""Create a table from its declaration in infra/topology.py (tests, restore into a fresh emulator)."""

from __future__ import annotations

from typing import Any

from infra.topology import Table


def create_table(dynamodb: Any, table: Table, physical_name: str) -> None:
    """Create `physical_name` shaped like `table` (on-demand, string keys) unless it exists."""
    if physical_name in dynamodb.list_tables().get("TableNames", []):
        return
    attributes = {table.partition_key, *([table.sort_key] if table.sort_key else [])}
    for index in table.indexes:
        attributes |= {index.partition_key, *([index.sort_key] if index.sort_key else [])}
    params: dict[str, Any] = {
        "TableName": physical_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in sorted(attributes)],
        "KeySchema": _schema(table.partition_key, table.sort_key),
    }
    if table.indexes:
        params["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    dynamodb.create_table(**params)
    dynamodb.get_waiter("table_exists").wait(TableName=physical_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def _schema(partition: str, sort: str | None) -> list[dict[str, str]]:
    keys = [{"AttributeName": partition, "KeyType": "HASH"}]
    if sort:
        keys.append({"AttributeName": sort, "KeyType": "RANGE"})
    return keys
