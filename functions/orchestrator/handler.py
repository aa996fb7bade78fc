"""Orchestrator (SQS consumer of the messages queue): exactly one reply per guest message.

Idempotent on the WhatsApp message id over the whole handling (Powertools idempotency, DynamoDB with a
TTL >= 24 h), so a webhook Meta delivers again, or an SQS redelivery, never produces a second reply or a
second booking. FIFO order per guest holds: when a record fails, the rest of its group in the batch is
returned for retry. The dialog and its steps live in service.py / dialog.py; this module only wires the
adapters. A direct invoke `{"action": "resume", "tenant_id", "guest_wa_id"}` lifts a handoff pause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orchestrator.mailer import NoMail, SmtpNotifier
from functions.orchestrator.pms import LambdaPms
from functions.orchestrator.service import Services, handle
from functions.orchestrator.store import ConversationStore
from hotel_common import aws, snapstart
from hotel_common.config import OrchestratorSettings, load
from hotel_common.logging import get_logger, mask_phone
from hotel_common.metrics import flush, metrics
from hotel_common.models import InboundMessage, StatusUpdate, parse_event
from hotel_common.redis_client import shared_read_ahead
from hotel_common.tenancy import get_tenant
from hotel_common.whatsapp import WhatsAppClient

logger = get_logger("orchestrator")
snapstart.prime(
    modules=("hotel_common.tenancy.store", "hotel_common.tenancy.version", "httpcore", "redis"),
    aws_clients=("dynamodb", "lambda", "secretsmanager"),
)
_invocation: dict[str, LambdaContext] = {}


# The wiring is built on the first invocation, not at import: settings carry secrets, and with SnapStart an
# import-time read would sit in the snapshot long after the secret rotated.
@cache
def _settings() -> OrchestratorSettings:
    return load(OrchestratorSettings)


@cache
def _idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="wamid",
        expires_after_seconds=_settings().IDEMPOTENCY_TTL_SECONDS,
        raise_on_no_idempotency_key=True,
    )


@cache
def _idempotent_answer() -> Callable[..., dict[str, Any]]:
    # Our DynamoDB client (one session per container, our timeouts and retries), not one of its own.
    persistence = DynamoDBPersistenceLayer(
        table_name=_settings().IDEMPOTENCY_TABLE or "idempotency", boto3_client=aws.client("dynamodb")
    )
    answer = idempotent_function(
        data_keyword_argument="message", config=_idempotency_config(), persistence_store=persistence
    )(answer_message)
    return cast(Callable[..., dict[str, Any]], answer)


@cache
def _whatsapp() -> WhatsAppClient:
    s = _settings()
    return WhatsAppClient(
        s.WHATSAPP_API_BASE_URL,
        s.WHATSAPP_ACCESS_TOKEN.get_secret_value(),
        api_version=s.WHATSAPP_API_VERSION,
        timeout=s.WHATSAPP_TIMEOUT_SECONDS,
    )


@cache
def _store() -> ConversationStore:
    s = _settings()
    return ConversationStore(
        s.CONVERSATIONS_TABLE,
        dynamodb=aws.client("dynamodb"),
        redis_factory=shared_read_ahead,
        ttl_seconds=s.CONVERSATION_TTL_SECONDS,
        cache_seconds=s.CONVERSATION_CACHE_SECONDS,
    )


def _remaining_seconds() -> float:
    context = _invocation.get("context")
    return context.get_remaining_time_in_millis() / 1000 if context else 30.0


@cache
def _services() -> Services:
    s = _settings()
    return Services(
        store=_store(),
        whatsapp=_whatsapp(),
        pms=LambdaPms(
            s.pms_proxy_function,
            remaining_seconds=_remaining_seconds,
            timeout=s.PMS_TIMEOUT_SECONDS,
            booking_timeout=s.PMS_BOOKING_TIMEOUT_SECONDS,
        ),
        notifier=SmtpNotifier.from_settings(s) or NoMail(),
        tenants=get_tenant,
        pause_seconds=s.HANDOFF_PAUSE_SECONDS,
        template=s.WHATSAPP_REENGAGEMENT_TEMPLATE,
        speech_enabled=bool(s.SPEECH_PROVIDER),
    )


def answer_message(message: dict[str, Any]) -> dict[str, Any]:
    inbound = InboundMessage.model_validate(message)
    # The message's first Redis read is the tenant map's version check; the guest's conversation rides on it.
    cached = _store().cache_read(inbound.tenant_id, inbound.guest_wa_id) if inbound.tenant_id else None
    with shared_read_ahead().expecting(cached):
        return handle(inbound, _services()).as_dict()


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
    result = _idempotent_answer()(message=event.model_dump(mode="json"))
    logger.info("message answered", extra={"guest": mask_phone(event.guest_wa_id), **result})


def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, Any]:
    _invocation["context"] = context
    _idempotency_config().register_lambda_context(context)
    try:
        if event.get("action") == "resume":
            resumed = _store().resume(str(event["tenant_id"]), str(event["guest_wa_id"]))
            logger.info("handoff pause lifted" if resumed else "conversation was not paused")
            return {"resumed": resumed}
        return process_partial_response(
            event=event,
            record_handler=record_handler,
            processor=SqsFifoPartialProcessor(skip_group_on_error=True),
            context=context,
        )
    finally:
        flush()
