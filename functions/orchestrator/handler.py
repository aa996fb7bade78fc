"""Orchestrator (SQS consumer of the messages queue): one reply per guest message.

Idempotent on the WhatsApp message id (Powertools idempotency, DynamoDB persistence with a TTL), so a
webhook that Meta delivers again, or an SQS redelivery, never produces a second reply. FIFO order per
guest holds: when one record fails, the rest of its group in the batch is returned for retry.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_common.config import OrchestratorSettings, load
from hotel_common.logging import get_logger, mask_phone
from hotel_common.metrics import flush, metrics
from hotel_common.models import InboundMessage, StatusUpdate, parse_event
from hotel_common.whatsapp import WhatsAppClient

from .service import greet

logger = get_logger("orchestrator")
settings = load(OrchestratorSettings)
idempotency_config = IdempotencyConfig(
    event_key_jmespath="wamid",
    expires_after_seconds=settings.IDEMPOTENCY_TTL_SECONDS,
    raise_on_no_idempotency_key=True,
)
persistence = DynamoDBPersistenceLayer(table_name=settings.IDEMPOTENCY_TABLE or "idempotency")


@cache
def _whatsapp() -> WhatsAppClient:
    return WhatsAppClient(
        settings.WHATSAPP_API_BASE_URL,
        settings.WHATSAPP_ACCESS_TOKEN.get_secret_value(),
        api_version=settings.WHATSAPP_API_VERSION,
        timeout=settings.WHATSAPP_TIMEOUT_SECONDS,
    )


@idempotent_function(data_keyword_argument="message", config=idempotency_config, persistence_store=persistence)
def handle_message(message: dict[str, Any]) -> dict[str, Any]:
    inbound = InboundMessage.model_validate(message)
    started = time.perf_counter()
    intent = "greeting"
    try:
        reply = greet(inbound, hotel_name="nuestro hotel" if inbound.text else "our hotel")
        sent = _whatsapp().send_text(inbound.phone_number_id, inbound.guest_wa_id, reply.text)
    except Exception:
        metrics.inc("orchestrator_messages_total", intent=intent, status="error")
        raise
    metrics.inc("orchestrator_messages_total", intent=intent, status="ok")
    metrics.observe("orchestrator_latency_seconds", time.perf_counter() - started, intent=intent)
    return {"reply_id": sent.message_id, "intent": intent, "lang": reply.lang}


def record_handler(record: SQSRecord) -> None:
    event = parse_event(record.body)
    logger.set_correlation_id(event.wamid)
    logger.append_keys(tenant_id=event.tenant_id)
    if isinstance(event, StatusUpdate):
        metrics.inc("whatsapp_status_total", status=event.status)
        logger.info(
            "delivery status",
            extra={
                "status": event.status,
                "recipient": mask_phone(event.recipient_id),
                "errors": [e.code for e in event.errors],
            },
        )
        return
    result = handle_message(message=event.model_dump(mode="json"))
    logger.info("message answered", extra={"guest": mask_phone(event.guest_wa_id), **result})


def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, Any]:
    idempotency_config.register_lambda_context(context)
    try:
        return process_partial_response(
            event=event,
            record_handler=record_handler,
            processor=SqsFifoPartialProcessor(skip_group_on_error=True),
            context=context,
        )
    finally:
        flush()
