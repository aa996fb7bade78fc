"""Fault paths on the running local stack: poison records reach the DLQ without blocking the rest, and
`make redrive` brings them back to be answered."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest

from infra import topology
from scripts.fakes.meta_webhook import encode, text_webhook
from scripts.redrive import redrive
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def sqs(stack: RunningStack) -> Any:
    return boto3.client("sqs", endpoint_url=stack.aws, region_name="us-east-1")


def urls(client: Any, name: str) -> tuple[str, str]:
    queue = topology.queue(name)
    url = client.get_queue_url(QueueName=topology.queue_physical_name("local", queue))["QueueUrl"]
    dlq = client.get_queue_url(QueueName=topology.queue_physical_name("local", queue, dlq=True))["QueueUrl"]
    return url, dlq


def dlq_depth(client: Any, dlq: str) -> int:
    attributes = client.get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_poison_record_goes_to_the_dlq_and_redrive_gets_it_answered(local_stack: RunningStack) -> None:
    client = sqs(local_stack)
    s3 = boto3.client("s3", endpoint_url=local_stack.aws, region_name="us-east-1")
    inbound, dlq = urls(client, "inbound")
    bucket = topology.physical_name("local", "payloads")
    poisoned_guest, healthy_guest = "3460" + str(uuid.uuid4().int)[:7], "3461" + str(uuid.uuid4().int)[:7]
    key = f"inbound/e2e/{uuid.uuid4().hex}.json"
    # A claim check whose body is not in S3 (yet): the normalizer cannot read it and must not drop it.
    client.send_message(
        QueueUrl=inbound,
        MessageBody=json.dumps({"bucket": bucket, "key": key, "bytes": 1}),
        MessageGroupId=f"poison:{poisoned_guest}",
        MessageDeduplicationId=uuid.uuid4().hex,
        MessageAttributes={"payload_location": {"DataType": "String", "StringValue": "s3"}},
    )
    healthy = encode(text_webhook("hola", guest_wa_id=healthy_guest))
    client.send_message(
        QueueUrl=inbound,
        MessageBody=healthy.decode(),
        MessageGroupId=f"ok:{healthy_guest}",
        MessageDeduplicationId=uuid.uuid4().hex,
    )
    assert len(local_stack.wait_for_replies(healthy_guest, 1, timeout=10)) == 1
    receives = topology.queue("inbound").max_receive_count
    deadline = time.monotonic() + receives * 3 + 30
    while dlq_depth(client, dlq) == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert dlq_depth(client, dlq) == 1
    assert local_stack.sent(poisoned_guest) == []

    s3.put_object(Bucket=bucket, Key=key, Body=encode(text_webhook("¿sigo aquí?", guest_wa_id=poisoned_guest)))
    result = redrive(client, inbound, dlq, fifo=True)
    assert (result.moved, result.failed) == (1, 0)
    assert len(local_stack.wait_for_replies(poisoned_guest, 1, timeout=15)) == 1
    assert dlq_depth(client, dlq) == 0
