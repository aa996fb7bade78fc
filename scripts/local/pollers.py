"""Event source mappings, emulated: poll a queue, invoke the consumer with a real SQS event batch, delete
what succeeded, leave the reported failures (and everything, when the invocation itself fails) to come
back after the visibility timeout, until the queue's redrive policy moves them to the DLQ."""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from infra import topology

from .runtime import FunctionPool

log = logging.getLogger("local.pollers")
REGION = "us-east-1"


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    records = []
    for m in messages:
        attributes = {
            k: v
            for k, v in m.get("Attributes", {}).items()
            if k
            in {
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "SequenceNumber",
                "MessageGroupId",
                "MessageDeduplicationId",
            }
        }
        message_attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType", "String"),
            }
            for name, value in m.get("MessageAttributes", {}).items()
        }
        records.append(
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": attributes,
                "messageAttributes": message_attributes,
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        )
    return {"Records": records}


class QueuePoller(threading.Thread):
    def __init__(
        self, sqs: Any, source: topology.EventSource, queue_url: str, pool: FunctionPool, stop: threading.Event
    ):
        super().__init__(name=f"poller-{source.queue}", daemon=True)
        self._sqs, self._source, self._url, self._pool, self._stop = sqs, source, queue_url, pool, stop
        self.running = threading.Event()  # cleared: the mapping is disabled (messages wait on the queue)
        self.running.set()
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.invocations = 0
        self.failures = 0

    def run(self) -> None:
        while not self._stop.is_set():
            if not self.running.wait(timeout=0.5):
                continue
            try:
                self.poll_once(wait_seconds=1)
            except Exception as exc:  # the emulator restarting, a closed pool at shutdown
                if not self._stop.is_set():
                    log.warning("poller %s: %s", self._source.queue, exc)
                    self._stop.wait(0.5)

    def poll_once(self, wait_seconds: int = 0) -> int:
        response = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=self._source.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        self.invocations += 1
        future = self._pool.submit(sqs_event(messages, self._arn))
        ok, result = future.result(timeout=self._pool.function.timeout_seconds + 5)
        if not ok:
            self.failures += 1
            log.warning("consumer %s failed: %s", self._source.function, result.get("errorMessage"))
            return len(messages)
        failed = set()
        if self._source.report_batch_item_failures and isinstance(result, dict):
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures") or ()}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return len(messages)
