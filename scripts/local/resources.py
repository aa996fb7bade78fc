"""Creates the topology's queues, tables and buckets on the AWS emulator and computes each function's
environment (the same references the CDK app resolves in AWS)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra import topology


@dataclass
class Deployed:
    queue_urls: dict[str, str] = field(default_factory=dict)  # logical -> URL
    dlq_urls: dict[str, str] = field(default_factory=dict)
    table_names: dict[str, str] = field(default_factory=dict)
    bucket_names: dict[str, str] = field(default_factory=dict)


def deploy(stage: str, sqs: Any, dynamodb: Any, s3: Any, *, visibility_override: int | None = None) -> Deployed:
    topology.validate()
    out = Deployed()
    for queue in topology.QUEUES:
        fifo_attributes = {"FifoQueue": "true"} if queue.fifo else {}
        dlq_url = sqs.create_queue(
            QueueName=topology.queue_physical_name(stage, queue, dlq=True),
            Attributes={**fifo_attributes, "MessageRetentionPeriod": str(queue.dlq_retention_seconds)},
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {
            **fifo_attributes,
            "VisibilityTimeout": str(visibility_override or queue.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(queue.retention_seconds),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count}),
        }
        if queue.fifo:
            attributes["ContentBasedDeduplication"] = str(queue.content_based_deduplication).lower()
        url = sqs.create_queue(QueueName=topology.queue_physical_name(stage, queue), Attributes=attributes)["QueueUrl"]
        out.queue_urls[queue.name] = url
        out.dlq_urls[queue.name] = dlq_url
    existing = set(dynamodb.list_tables()["TableNames"])
    for table in topology.TABLES:
        name = topology.physical_name(stage, table.name)
        out.table_names[table.name] = name
        if name in existing:
            continue
        keys = [(table.partition_key, "HASH")] + ([(table.sort_key, "RANGE")] if table.sort_key else [])
        attribute_names = {k for k, _ in keys}
        for index in table.indexes:
            attribute_names |= {index.partition_key, *([index.sort_key] if index.sort_key else [])}
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in keys],
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attribute_names)],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if table.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"}]
                    + ([{"AttributeName": index.sort_key, "KeyType": "RANGE"}] if index.sort_key else []),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in table.indexes
            ]
        dynamodb.create_table(**kwargs)
        if table.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
            )
    for bucket in topology.BUCKETS:
        name = topology.physical_name(stage, bucket.name)
        s3.create_bucket(Bucket=name)
        out.bucket_names[bucket.name] = name
    return out


def function_environment(function: topology.Function, deployed: Deployed, base: Mapping[str, str]) -> dict[str, str]:
    env = {**base, **function.environment}
    env.update({var: deployed.queue_urls[q] for var, q in function.queue_urls.items()})
    env.update({var: deployed.table_names[t] for var, t in function.table_names.items()})
    env.update({var: deployed.bucket_names[b] for var, b in function.bucket_names.items()})
    env["AWS_LAMBDA_FUNCTION_NAME"] = function.name
    env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(function.memory_mb)
    return env
