"""Move the messages of a queue's DLQ back to the queue (`make redrive QUEUE=inbound|messages`).

Works for FIFO queues on AWS, LocalStack and the moto server alike: each message goes back in its own
message group with a new deduplication id (the original one may still be inside SQS' 5-minute window),
and is deleted from the DLQ only after the send succeeded, so a crash midway duplicates at worst —
which the consumers' idempotency absorbs — and never loses a message.
"""

from __future__ import annotations

import argparse
import os
import uuid
from dataclasses import dataclass
from typing import Any

import boto3

from infra import topology


@dataclass
class RedriveResult:
    moved: int = 0
    failed: int = 0


def redrive(sqs: Any, queue_url: str, dlq_url: str, *, fifo: bool, limit: int = 10_000) -> RedriveResult:
    result = RedriveResult()
    while result.moved + result.failed < limit:
        batch = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
            VisibilityTimeout=30,
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            send: dict[str, Any] = {
                "QueueUrl": queue_url,
                "MessageBody": message["Body"],
                "MessageAttributes": message.get("MessageAttributes", {}),
            }
            if fifo:
                attributes = message.get("Attributes", {})
                send["MessageGroupId"] = attributes.get("MessageGroupId", "redrive")
                original = attributes.get("MessageDeduplicationId", message["MessageId"])
                send["MessageDeduplicationId"] = f"{original[:80]}-redrive-{uuid.uuid4().hex[:16]}"
            try:
                sqs.send_message(**send)
            except Exception:
                result.failed += 1
                continue
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            result.moved += 1
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queue", choices=[q.name for q in topology.QUEUES])
    parser.add_argument("--stage", default=os.environ.get("STAGE", "local"))
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"))
    args = parser.parse_args()
    endpoint = args.endpoint or ("http://127.0.0.1:4566" if args.stage == "local" else None)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))
    queue = topology.queue(args.queue)
    url = sqs.get_queue_url(QueueName=topology.queue_physical_name(args.stage, queue))["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=topology.queue_physical_name(args.stage, queue, dlq=True))["QueueUrl"]
    result = redrive(sqs, url, dlq, fifo=queue.fifo)
    print(f"{args.queue}: moved {result.moved} message(s) from its DLQ back to the queue; {result.failed} failed")
    raise SystemExit(1 if result.failed else 0)


if __name__ == "__main__":
    main()
