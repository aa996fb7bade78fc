"""One message end to end with fakes: outbox (exactly one reply), retries, the 24-hour window, conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.orchestrator.service import Services, handle, turn_of
from functions.orchestrator.state import Conversation
from functions.orchestrator.store import ConversationConflict
from hotel_common.models import InboundMessage
from hotel_common.whatsapp import GraphError, SendResult
from tests.unit.orchestrator.fakes import NOW, SOL, FakeNotifier, FakePms


@dataclass
class MemoryStore:
    items: dict[tuple[str, str], Conversation] = field(default_factory=dict)
    conflicts: int = 0
    fresh_loads: int = 0

    def load(self, tenant_id: str, guest: str, *, fresh: bool = False) -> Conversation:
        self.fresh_loads += fresh
        return self.items.get((tenant_id, guest)) or Conversation(tenant_id=tenant_id, guest=guest)

    def save(self, state: Conversation) -> Conversation:
        current = self.items.get((state.tenant_id, state.guest))
        if self.conflicts or (current and current.version != state.version):
            self.conflicts = max(0, self.conflicts - 1)
            raise ConversationConflict("x")
        saved = state.evolve(version=state.version + 1)
        self.items[(state.tenant_id, state.guest)] = saved
        return saved


@dataclass
class FakeWhatsApp:
    fail: list[GraphError] = field(default_factory=list)
    sent: list[tuple[str, Any]] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    read_fails: bool = False

    def _send(self, kind: str, content: Any) -> SendResult:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((kind, content))
        return SendResult(f"wamid.out{len(self.sent)}")

    def send_text(self, phone_number_id: str, to: str, body: str) -> SendResult:
        return self._send("text", body)

    def send_buttons(self, phone_number_id: str, to: str, body: str, buttons: Any) -> SendResult:
        return self._send("buttons", [b.id for b in buttons])

    def send_list(self, phone_number_id: str, to: str, body: str, button: str, sections: Any) -> SendResult:
        return self._send("list", [r.id for s in sections for r in s.rows])

    def send_template(self, phone_number_id: str, to: str, name: str, language: str, parameters: Any) -> SendResult:
        return self._send("template", (name, language, list(parameters)))

    def mark_read(self, phone_number_id: str, message_id: str, *, typing: bool = False) -> None:
        if self.read_fails:
            raise GraphError(503, None, "down", transient=True)
        self.reads.append(message_id)


def message(text: str = "hola", wamid: str = "wamid.A", *, age: float = 5.0, **extra: Any) -> InboundMessage:
    return InboundMessage.model_validate(
        {
            "wamid": wamid,
            "timestamp": datetime.fromtimestamp(NOW - age, UTC),
            "phone_number_id": "100000000000001",
            "guest_wa_id": "34611111111",
            "guest_name": "Ana García",
            "type": "text",
            "text": text,
            "tenant_id": "hotel-sol",
            **extra,
        }
    )


@pytest.fixture
def svc() -> Services:
    return Services(
        store=MemoryStore(),
        whatsapp=FakeWhatsApp(),  # type: ignore[arg-type]
        pms=FakePms(),
        notifier=FakeNotifier(),
        tenants=lambda tenant_id: SOL if tenant_id == "hotel-sol" else None,
        pause_seconds=3600,
        template="hotel_reengagement",
        clock=lambda: NOW,
    )


def wa(svc: Services) -> FakeWhatsApp:
    return svc.whatsapp  # type: ignore[return-value]


def test_a_message_is_read_answered_and_its_reply_marked_sent(svc: Services) -> None:
    result = handle(message("hola"), svc)
    assert (result.intent, result.status, result.reply_kind) == ("greeting", "ok", "text")
    assert wa(svc).reads == ["wamid.A"] and len(wa(svc).sent) == 1
    state = svc.store.load("hotel-sol", "34611111111")
    assert state.outbox == {**(state.outbox or {}), "wamid": "wamid.A", "sent": True}


def test_the_same_message_again_is_not_answered_twice(svc: Services) -> None:
    handle(message("quiero reservar del 12 al 15 de marzo para 2"), svc)
    again = handle(message("quiero reservar del 12 al 15 de marzo para 2"), svc)
    assert again.status == "duplicate" and len(wa(svc).sent) == 1
    assert svc.pms.count("availability") == 1  # type: ignore[attr-defined]


def test_a_transient_send_failure_is_retried_with_the_stored_reply_and_no_second_booking(svc: Services) -> None:
    handle(message("quiero reservar del 12 al 15 de marzo para 2", "wamid.1"), svc)
    handle(message("", "wamid.2", type="interactive", interactive={"kind": "list_reply", "id": "room:2"}), svc)
    wa(svc).fail = [GraphError(503, 131016, "unavailable")]
    yes = message("", "wamid.3", type="interactive", interactive={"kind": "button_reply", "id": "book:yes"})
    with pytest.raises(GraphError):
        handle(yes, svc)
    assert svc.pms.count("create_booking") == 1  # type: ignore[attr-defined]
    retried = handle(yes, svc)
    assert retried.status == "resent" and svc.pms.count("create_booking") == 1  # type: ignore[attr-defined]
    kind, body = wa(svc).sent[-1]
    assert kind == "text" and "#100" in body


def test_outside_the_window_only_the_template_is_sent(svc: Services) -> None:
    result = handle(message("hola", age=25 * 3600), svc)
    assert result.reply_kind == "template"
    assert wa(svc).sent == [("template", ("hotel_reengagement", "es", ["Hotel Sol de Mayo"]))]


def test_131047_falls_back_to_the_template(svc: Services) -> None:
    wa(svc).fail = [GraphError(400, 131047, "Re-engagement message")]
    result = handle(message("hello there"), svc)
    assert result.reply_kind == "template" and wa(svc).sent[0][0] == "template"
    assert wa(svc).sent[0][1][1] == "en"


def test_a_permanent_send_failure_is_counted_not_retried(svc: Services) -> None:
    wa(svc).fail = [GraphError(400, 131026, "undeliverable")]
    assert handle(message("hola"), svc).status == "undeliverable"


def test_a_failed_read_receipt_does_not_cost_the_answer(svc: Services) -> None:
    wa(svc).read_fails = True
    assert handle(message("hola"), svc).status == "ok" and len(wa(svc).sent) == 1


def test_a_concurrent_write_reloads_from_the_table_and_runs_again(svc: Services) -> None:
    svc.store.conflicts = 1  # type: ignore[attr-defined]
    assert handle(message("hola"), svc).status == "ok"
    assert svc.store.fresh_loads == 1 and len(wa(svc).sent) == 1  # type: ignore[attr-defined]


def test_while_paused_nothing_is_sent_but_the_message_is_read(svc: Services) -> None:
    handle(message("quiero hablar con una persona", "wamid.1"), svc)
    result = handle(message("hola?", "wamid.2"), svc)
    assert result.status == "paused" and len(wa(svc).sent) == 1 and wa(svc).reads == ["wamid.1", "wamid.2"]


def test_unknown_tenant_still_gets_an_answer(svc: Services) -> None:
    result = handle(message("hola", tenant_id="nope-hotel"), svc)
    assert result.status == "ok" and "nuestro hotel" in wa(svc).sent[0][1]


@pytest.mark.parametrize(
    ("extra", "kind", "value"),
    [
        (
            {"type": "interactive", "interactive": {"kind": "button_reply", "id": "book:yes", "title": "Sí"}},
            "choice",
            "book:yes",
        ),
        ({"type": "button", "button_payload": "handoff", "text": "Persona"}, "choice", "handoff"),
        ({"type": "image", "text": "¿está bien esta habitación?"}, "text", "¿está bien esta habitación?"),
        ({"type": "image", "text": ""}, "media", ""),
        ({"type": "audio", "text": ""}, "audio", ""),
        ({"type": "location", "location": {"latitude": 40.4, "longitude": -3.7}}, "location", ""),
        ({"type": "reaction", "reaction": {"message_id": "x", "emoji": "👍"}}, "reaction", ""),
        ({"type": "reaction", "reaction": {"message_id": "x", "emoji": ""}}, "reaction_removed", ""),
        ({"type": "contacts"}, "unsupported", ""),
    ],
)
def test_every_message_type_becomes_a_turn(extra: dict[str, Any], kind: str, value: str) -> None:
    turn = turn_of(message(**{"text": "", **extra}))
    assert turn.kind == kind and (turn.choice or turn.text) == value
