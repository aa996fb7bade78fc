"""Normalizer (SQS consumer of the inbound queue): one event per guest message and per status.

Controlled errors are counted and the record dropped (re-reading a malformed body cannot fix it);
transport errors (S3, SQS) fail the record so it is retried and, in the end, dead-lettered.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_common import aws
from hotel_common.config import NormalizerSettings, load
from hotel_common.logging import get_logger
from hotel_common.metrics import flush, metrics
from hotel_common.queues import CLAIM_CHECK_ATTRIBUTE

from .adapters import EventPublisher, PayloadStore
from .service import NormalizationError, normalize_body
from .tenancy import resolver

logger = get_logger("normalizer")
CHANNEL = "whatsapp"


@cache
def _publisher() -> EventPublisher:
    return EventPublisher(aws.client("sqs"), load(NormalizerSettings).MESSAGES_QUEUE_URL)


@cache
def _payloads() -> PayloadStore:
    return PayloadStore(aws.client("s3"))


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
    _publisher().publish(events)
    for event in events:
        metrics.inc("message_normalized_total", canal=CHANNEL, tenant_id=event.tenant_id or "none")
    metrics.observe("message_normalization_latency_seconds", time.perf_counter() - started)
    logger.info(
        "record normalized",
        extra={"messages": len(normalized.messages), "statuses": len(normalized.statuses), "published": len(events)},
    )


def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, Any]:
    try:
        return process_partial_response(
            event=event,
            record_handler=record_handler,
            processor=SqsFifoPartialProcessor(skip_group_on_error=True),
            context=context,
        )
    finally:
        flush()
