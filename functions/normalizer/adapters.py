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


Event = InboundMessage | StatusUpdate


class EventPublisher:
    """Sends events to the messages FIFO queue, grouped per business number + guest, in batches of ten
    across the records of an invocation (one SQS call for a burst, not one per webhook)."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs, self._queue_url = sqs, queue_url

    def publish_per_owner(self, owned: Sequence[tuple[str, Sequence[Event]]]) -> dict[str, str]:
        """Publishes each owner's events in order; returns the owners (records) with an event not accepted,
        and why. A transport error fails every owner not yet sent (their retry collapses on the
        deduplication ids of what did go out)."""
        entries = [(owner, event) for owner, events in owned for event in events]
        failed: dict[str, str] = {}
        for start in range(0, len(entries), SQS_BATCH_MAX):
            chunk = entries[start : start + SQS_BATCH_MAX]
            try:
                response = self._sqs.send_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {
                            "Id": str(i),
                            "MessageBody": event.model_dump_json(),
                            "MessageGroupId": event.conversation_key[:128],
                            "MessageDeduplicationId": deduplication_id(event),
                            "MessageAttributes": {"kind": {"DataType": "String", "StringValue": event.kind}},
                        }
                        for i, (_, event) in enumerate(chunk)
                    ],
                )
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                for owner, _ in entries[start:]:
                    failed.setdefault(owner, reason)
                return failed
            for item in response.get("Failed") or ():
                owner = chunk[int(item["Id"])][0]
                failed.setdefault(owner, f"{item.get('Code')}: {item.get('Message')}")
        return failed
