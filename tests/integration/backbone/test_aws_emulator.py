"""The local AWS emulator computes SQS queue attributes per key (scripts/local/aws_emulator.py): the answers
must stay those of SQS, counts and FIFO/redrive settings included."""

from __future__ import annotations

import json
import uuid

import boto3


def _sqs(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_queue_attributes_keep_counts_and_settings(moto_endpoint: str) -> None:
    sqs = _sqs(moto_endpoint)
    name = f"emu-{uuid.uuid4().hex[:8]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    queue = sqs.create_queue(
        QueueName=f"{name}.fifo",
        Attributes={"FifoQueue": "true", "RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": "30"},
    )["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=queue, MessageBody=f"m{i}", MessageGroupId=f"g{i}", MessageDeduplicationId=f"d{i}")
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=2)["Messages"]
    assert len(received) == 2

    everything = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert everything["ApproximateNumberOfMessages"] == "3"
    assert everything["ApproximateNumberOfMessagesNotVisible"] == "2"
    assert everything["FifoQueue"] == "true"
    assert everything["ContentBasedDeduplication"] == "false"
    assert everything["VisibilityTimeout"] == "30"
    assert json.loads(everything["RedrivePolicy"]) == redrive

    some = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "FifoQueue"])
    assert some["Attributes"] == {"ApproximateNumberOfMessages": "3", "FifoQueue": "true"}


def test_content_based_deduplication_is_still_read_on_send(moto_endpoint: str) -> None:
    sqs = _sqs(moto_endpoint)
    name = f"emu-{uuid.uuid4().hex[:8]}.fifo"
    queue = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})[
        "QueueUrl"
    ]
    for _ in range(3):  # no MessageDeduplicationId: the body's hash deduplicates
        sqs.send_message(QueueUrl=queue, MessageBody="same body", MessageGroupId="g")
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
    assert counts["Attributes"]["ApproximateNumberOfMessages"] == "1"
