"""Normalizer (SQS consumer of the inbound queue): one event per guest message and per status.

Controlled errors are counted and the record dropped (re-reading a malformed body cannot fix it);
transport errors (S3, SQS) fail the record so it is retried and, in the end, dead-lettered.
Records are normalized one by one, then their events go out together, ten per SQS call; a record whose
events were not all accepted fails, and so does every later record of its message group (FIFO order).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_common import aws, snapstart
from hotel_common.config import NormalizerSettings, load
from hotel_common.logging import get_logger
from hotel_common.metrics import flush, metrics
from hotel_common.queues import CLAIM_CHECK_ATTRIBUTE

from .adapters import Event, EventPublisher, PayloadStore, PublishError
from .service import NormalizationError, normalize_body
from .tenancy import resolver

logger = get_logger("normalizer")
snapstart.prime(
    modules=("hotel_common.redis_client", "hotel_common.tenancy.store", "hotel_common.tenancy.version", "redis"),
    aws_clients=("sqs", "s3", "dynamodb", "secretsmanager"),
)
CHANNEL = "whatsapp"


@cache
def _publisher() -> EventPublisher:
    return EventPublisher(aws.client("sqs"), load(NormalizerSettings).MESSAGES_QUEUE_URL)


@cache
def _payloads() -> PayloadStore:
    return PayloadStore(aws.client("s3"))


@dataclass
class Normalized:
    """A record's events, waiting for the batch's publish."""

    record: SQSRecord
    events: list[Event]
    messages: int
    statuses: int
    started: float


_pending: list[Normalized] = []


def record_handler(record: SQSRecord) -> None:
    started = time.perf_counter()
    body: str | bytes = record.body
    attribute = (record.raw_event.get("messageAttributes") or {}).get(CLAIM_CHECK_ATTRIBUTE) or {}
    if attribute.get("stringValue") == "s3":
        body = _payloads().fetch(record.body)
    try:
        normalized = normalize_body(body)
    except NormalizationError as exc:
        metrics.inc("message_normalization_errors_total", canal=CHANNEL, error_type=exc.error_type)
        logger.warning("record dropped", extra={"error_type": exc.error_type, "sqs_message_id": record.message_id})
        return
    for reason in normalized.skipped:
        metrics.inc("message_normalization_errors_total", canal=CHANNEL, error_type=reason)
    for error in normalized.errors:
        logger.warning("whatsapp reported an error", extra={"code": error.code, "title": error.title})
    events = resolver().assign(normalized.events)
    _pending.append(Normalized(record, events, len(normalized.messages), len(normalized.statuses), started))


def publish_pending(pending: list[Normalized]) -> dict[str, str]:
    """Publishes the batch's events; returns the records to retry (message id -> why)."""
    failed = _publisher().publish_per_owner([(item.record.message_id, item.events) for item in pending])
    failed_groups: set[str] = set()
    retry: dict[str, str] = {}
    for item in pending:
        group = item.record.attributes.message_group_id
        if item.record.message_id in failed or (group is not None and group in failed_groups):
            retry[item.record.message_id] = failed.get(item.record.message_id, "an earlier record of its group failed")
            if group is not None:
                failed_groups.add(group)
            logger.warning(
                "record not published",
                extra={"sqs_message_id": item.record.message_id, "error": retry[item.record.message_id]},
            )
            continue
        for event in item.events:
            metrics.inc("message_normalized_total", canal=CHANNEL, tenant_id=event.tenant_id or "none")
        metrics.observe("message_normalization_latency_seconds", time.perf_counter() - item.started)
        logger.info(
            "record normalized",
            extra={
                "sqs_message_id": item.record.message_id,
                "messages": item.messages,
                "statuses": item.statuses,
                "published": len(item.events),
            },
        )
    return retry


def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, Any]:
    _pending.clear()
    try:
        response = process_partial_response(
            event=event,
            record_handler=record_handler,
            processor=SqsFifoPartialProcessor(skip_group_on_error=True),
            context=context,
        )
        retry = publish_pending(_pending)
        if not retry:
            return response
        failures = [*response.get("batchItemFailures", []), *({"itemIdentifier": r} for r in retry)]
        if len(failures) == len(event.get("Records") or ()):
            # Every record failed: the invocation fails and the whole batch comes back, as the processor does.
            raise PublishError(f"no record of the batch was published: {next(iter(retry.values()))}")
        return {"batchItemFailures": failures}
    finally:
        _pending.clear()
        flush()
