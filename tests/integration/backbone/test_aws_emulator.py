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


def test_long_poll_on_a_group_in_flight_waits_without_spinning(moto_endpoint: str) -> None:
    """A visible message whose group is in flight cannot be delivered: the long poll waits for its time
    without burning a core (moto's loop spun for the whole wait), and the group flows once deleted."""
    import time

    sqs = _sqs(moto_endpoint)
    queue = sqs.create_queue(QueueName=f"emu-{uuid.uuid4().hex[:8]}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for i in range(2):
        sqs.send_message(QueueUrl=queue, MessageBody=f"m{i}", MessageGroupId="guest", MessageDeduplicationId=f"d{i}")
    (first,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"]

    cpu_before = time.process_time()
    idle = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1)
    assert idle.get("Messages", []) == []
    # CPU, not wall time: a waiting long poll costs next to nothing; moto's busy loop cost about its wait.
    assert time.process_time() - cpu_before < 0.4

    sqs.delete_message(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"])
    following = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in following] == ["m1"]
