"""Edges of the normalizer: the claim-check store and the messages queue."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from hotel_common.models import InboundMessage, StatusUpdate

SQS_BATCH_MAX = 10


class PayloadStore:
    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def fetch(self, claim: str) -> bytes:
        ref = json.loads(claim)
        return bytes(self._s3.get_object(Bucket=ref["bucket"], Key=ref["key"])["Body"].read())


class PublishError(Exception):
    pass


def deduplication_id(event: InboundMessage | StatusUpdate) -> str:
    if isinstance(event, InboundMessage):
        return hashlib.sha256(event.wamid.encode()).hexdigest()
    return hashlib.sha256(f"{event.wamid}|{event.status}|{event.timestamp.isoformat()}".encode()).hexdigest()


class EventPublisher:
    """Sends events to the messages FIFO queue, grouped per business number + guest."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs, self._queue_url = sqs, queue_url

    def publish(self, events: Sequence[InboundMessage | StatusUpdate]) -> None:
        for start in range(0, len(events), SQS_BATCH_MAX):
            chunk = events[start : start + SQS_BATCH_MAX]
            entries = [
                {
                    "Id": str(i),
                    "MessageBody": event.model_dump_json(),
                    "MessageGroupId": event.conversation_key[:128],
                    "MessageDeduplicationId": deduplication_id(event),
                    "MessageAttributes": {"kind": {"DataType": "String", "StringValue": event.kind}},
                }
                for i, event in enumerate(chunk)
            ]
            response = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
            if response.get("Failed"):
                # The whole record is retried; already-sent events collapse on their deduplication id.
                raise PublishError(f"{len(response['Failed'])} of {len(entries)} events not accepted")
