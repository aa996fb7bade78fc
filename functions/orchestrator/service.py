"""One guest message, end to end: read receipt, conversation state, dialog, one reply, state saved.

The order of the steps is what makes "exactly one reply" hold when anything fails half-way:

1. Load the conversation. If its outbox already holds this message's reply, the dialog ran before (a retry
   after a failed send): send that reply again, or nothing if it was sent.
2. Run the dialog (PMS calls included; a create is idempotent on a key fixed when the summary was shown).
3. Save the new state *with the reply in its outbox*, conditionally on the version read; on a conflict
   reload from DynamoDB (not the cache) and run the dialog once more.
4. Send the reply (a template when the 24-hour window is closed, or when Meta says 131047).
5. Mark the outbox sent (best effort: the Powertools idempotency record covers the rest).

A transient send failure raises, so SQS retries the record and step 1 resends the stored reply; a
permanent one is counted and logged and the message is done (retrying would not deliver it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from functions.orchestrator.dialog import Deps, Turn, respond
from functions.orchestrator.ports import Notifier, PmsPort
from functions.orchestrator.replies import Reply
from functions.orchestrator.state import Conversation
from functions.orchestrator.store import ConversationConflict
from hotel_common.logging import get_logger, mask_phone
from hotel_common.metrics import metrics
from hotel_common.models import InboundMessage
from hotel_common.tenancy.models import Tenant
from hotel_common.whatsapp import Button, GraphError, ListRow, ListSection, WhatsAppClient

logger = get_logger("orchestrator")
WINDOW_SECONDS = 24 * 3600
TEMPLATE_LANGUAGES = {"es": "es", "en": "en"}
FALLBACK_HOTEL = {"es": "nuestro hotel", "en": "our hotel"}
MEDIA_TYPES = frozenset({"image", "video", "document", "sticker"})


class StorePort(Protocol):
    def load(self, tenant_id: str, guest: str, *, fresh: bool = False) -> Conversation: ...

    def save(self, state: Conversation) -> Conversation: ...


@dataclass(frozen=True)
class Services:
    store: StorePort
    whatsapp: WhatsAppClient
    pms: PmsPort
    notifier: Notifier
    tenants: Callable[[str], Tenant | None]
    pause_seconds: int
    template: str
    speech_enabled: bool = False
    clock: Callable[[], float] = time.time


@dataclass(frozen=True)
class Handled:
    intent: str
    status: str
    lang: str
    reply_id: str = ""
    reply_kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "status": self.status,
            "lang": self.lang,
            "reply_id": self.reply_id,
            "reply_kind": self.reply_kind,
        }


def handle(message: InboundMessage, svc: Services) -> Handled:
    """Handle one message; metrics per intent and status. Raises what SQS should retry."""
    started = time.perf_counter()
    try:
        result = _handle(message, svc)
    except Exception as exc:
        metrics.inc("orchestrator_messages_total", intent="unknown", status="error")
        logger.exception("message handling failed", extra={"error": type(exc).__name__})
        raise
    metrics.inc("orchestrator_messages_total", intent=result.intent, status=result.status)
    metrics.observe("orchestrator_latency_seconds", time.perf_counter() - started, intent=result.intent)
    return result


def turn_of(message: InboundMessage, *, speech_enabled: bool = False) -> Turn:
    common = {"wamid": message.wamid, "guest_name": message.guest_name, "guest_phone": message.guest_wa_id}
    kind = message.type
    if kind == "text" or (kind in MEDIA_TYPES and message.text.strip()):
        return Turn(kind="text", text=message.text, **common)
    if kind == "interactive" and message.interactive is not None:
        return Turn(kind="choice", choice=message.interactive.id, text=message.interactive.title, **common)
    if kind == "button":
        return Turn(kind="choice", choice=message.button_payload or message.text, text=message.text, **common)
    if kind == "audio" and not (speech_enabled and message.text.strip()):
        return Turn(kind="audio", **common)
    if kind == "audio":
        return Turn(kind="text", text=message.text, **common)
    if kind in MEDIA_TYPES:
        return Turn(kind="media", **common)
    if kind == "location":
        return Turn(kind="location", **common)
    if kind == "reaction":
        emoji = message.reaction.emoji if message.reaction else ""
        return Turn(kind="reaction" if emoji else "reaction_removed", **common)
    return Turn(kind="unsupported", **common)


def _tenant(message: InboundMessage, svc: Services) -> Tenant:
    tenant = svc.tenants(message.tenant_id) if message.tenant_id else None
    if tenant is not None:
        return tenant
    logger.warning("unknown tenant: answering with neutral defaults")
    return Tenant(tenant_id=message.tenant_id or "unknown", name=FALLBACK_HOTEL["es"], language="es")


def _handle(message: InboundMessage, svc: Services) -> Handled:
    # The read receipt first (it needs nothing else): the tenant and the conversation are then looked up
    # back to back, right before the dialog, which lets the adapters read both in one Redis round trip.
    _mark_read(message, svc)
    tenant = _tenant(message, svc)
    received = message.timestamp.timestamp()
    for attempt in range(2):
        state = svc.store.load(tenant.tenant_id, message.guest_wa_id, fresh=attempt > 0)
        outbox = state.outbox or {}
        if outbox.get("wamid") == message.wamid:
            # The dialog already ran for this message (a retry): same reply, no second PMS call.
            if outbox.get("sent") or not outbox.get("reply"):
                return Handled(str(outbox.get("intent", "unknown")), "duplicate", state.lang or tenant.language)
            reply = Reply.from_dict(outbox["reply"])
            return _deliver(message, svc, tenant, state, reply, str(outbox.get("intent")), "resent")
        state = state.evolve(last_inbound_at=max(state.last_inbound_at, received))
        now = svc.clock()
        deps = Deps(
            hotel=tenant,
            pms=svc.pms,
            notifier=svc.notifier,
            today=datetime.fromtimestamp(now, ZoneInfo(tenant.timezone)).date(),
            now=now,
            pause_seconds=svc.pause_seconds,
        )
        outcome = respond(state, turn_of(message, speech_enabled=svc.speech_enabled), deps)
        pending = outcome.state.evolve(
            outbox={
                "wamid": message.wamid,
                "reply": outcome.reply.to_dict() if outcome.reply else None,
                "intent": outcome.intent,
                "sent": outcome.reply is None,
            }
        )
        try:
            saved = svc.store.save(pending)
        except ConversationConflict:
            logger.warning("conversation changed concurrently; reloading", extra={"attempt": attempt})
            continue
        if outcome.reply is None:
            return Handled(outcome.intent, outcome.status, saved.lang or tenant.language)
        return _deliver(message, svc, tenant, saved, outcome.reply, outcome.intent, outcome.status)
    raise ConversationConflict(f"{tenant.tenant_id}#{mask_phone(message.guest_wa_id)}")


def _mark_read(message: InboundMessage, svc: Services) -> None:
    try:
        svc.whatsapp.mark_read(message.phone_number_id, message.wamid, typing=True)
    except Exception as exc:  # a missing read receipt must not cost the guest their answer
        metrics.inc("orchestrator_send_failures_total", reason="mark_read")
        logger.warning("mark as read failed", extra={"error": f"{type(exc).__name__}: {exc}"})


def _deliver(
    message: InboundMessage,
    svc: Services,
    tenant: Tenant,
    state: Conversation,
    reply: Reply,
    intent: str,
    status: str,
) -> Handled:
    lang = state.lang or tenant.language
    window_open = svc.clock() - state.last_inbound_at < WINDOW_SECONDS
    kind: str = reply.kind
    try:
        if window_open:
            try:
                sent_id = send_reply(svc.whatsapp, message.phone_number_id, message.guest_wa_id, reply)
            except GraphError as exc:
                if not exc.outside_window:
                    raise
                metrics.inc("orchestrator_send_failures_total", reason="outside_window")
                sent_id, kind = _template(message, svc, tenant, lang), "template"
        else:
            metrics.inc("orchestrator_send_failures_total", reason="outside_window")
            sent_id, kind = _template(message, svc, tenant, lang), "template"
    except GraphError as exc:
        if exc.transient:
            raise
        metrics.inc("orchestrator_send_failures_total", reason=f"graph_{exc.code or exc.status}")
        logger.error(
            "reply not deliverable; not retried",
            extra={"code": exc.code, "status": exc.status, "guest": mask_phone(message.guest_wa_id)},
        )
        return Handled(intent, "undeliverable", lang)
    _mark_sent(svc, state)
    return Handled(intent, status, lang, reply_id=sent_id, reply_kind=kind)


def _template(message: InboundMessage, svc: Services, tenant: Tenant, lang: str) -> str:
    """Outside the 24-hour window only an approved template may be sent (131047 otherwise)."""
    result = svc.whatsapp.send_template(
        message.phone_number_id,
        message.guest_wa_id,
        svc.template,
        TEMPLATE_LANGUAGES.get(lang, "es"),
        [tenant.name],
    )
    return result.message_id


def _mark_sent(svc: Services, state: Conversation) -> None:
    if not state.outbox:
        return
    try:
        svc.store.save(state.evolve(outbox={**state.outbox, "sent": True}))
    except Exception as exc:  # the idempotency record still stops a redelivery; only a crash gap remains
        metrics.inc("orchestrator_state_errors_total", reason="mark_sent")
        logger.warning("could not mark the reply sent", extra={"error": type(exc).__name__})


def send_reply(client: WhatsAppClient, phone_number_id: str, to: str, reply: Reply) -> str:
    if reply.kind == "buttons":
        result = client.send_buttons(
            phone_number_id, to, reply.body, [Button(id=i, title=title) for i, title in reply.buttons]
        )
    elif reply.kind == "list":
        section = ListSection(reply.section, tuple(ListRow(i, title, desc) for i, title, desc in reply.rows))
        result = client.send_list(phone_number_id, to, reply.body, reply.list_button, [section])
    else:
        result = client.send_text(phone_number_id, to, reply.body)
    return result.message_id
