"""The concierge on the whole local stack (fake Graph, fake QloApps, real Redis, moto), driven like Meta:
signed webhooks in, replies read back from the fake Graph API."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.fakes.meta_webhook import deliver, interactive_webhook, text_webhook
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

SOL, HARBOR = "100000000000001", "100000000000002"
MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
REPLY_TIMEOUT = 40.0  # a cold pms_proxy and QloApps retries fit well within it


def guest() -> str:
    return "34" + str(uuid.uuid4().int)[:9]


def stay(months_ahead: int, day: int) -> tuple[date, date]:
    today = date.today()
    month_index = today.month - 1 + months_ahead
    check_in = date(today.year + month_index // 12, month_index % 12 + 1, day)
    return check_in, check_in + timedelta(days=3)


def spanish(check_in: date, check_out: date) -> str:
    return f"del {check_in.day} al {check_out.day} de {MONTHS_ES[check_in.month - 1]}"


class Guest:
    def __init__(self, stack: RunningStack, phone_number_id: str = SOL, name: str = "Lucía Pérez") -> None:
        self.stack, self.phone_number_id, self.name = stack, phone_number_id, name
        self.wa_id = guest()
        self.http = httpx.Client(timeout=10)

    def _send(self, payload: dict[str, Any]) -> dict[str, Any]:
        before = len(self.stack.sent(self.wa_id))
        response = deliver(self.http, self.stack.webhook, payload, app_secret=self.stack.app_secret)
        assert response.status_code == 200, response.text
        replies = self.stack.wait_for_replies(self.wa_id, before + 1, timeout=REPLY_TIMEOUT)
        assert len(replies) == before + 1, f"expected one reply, got {replies[before:]}"
        return dict(replies[-1]["payload"])

    def say(self, text: str) -> dict[str, Any]:
        return self._send(
            text_webhook(text, guest_wa_id=self.wa_id, guest_name=self.name, phone_number_id=self.phone_number_id)
        )

    def choose(self, reply_id: str, title: str, kind: str = "button_reply") -> dict[str, Any]:
        return self._send(
            interactive_webhook(
                reply_id,
                title,
                kind=kind,
                guest_wa_id=self.wa_id,
                guest_name=self.name,
                phone_number_id=self.phone_number_id,
            )
        )


def body(payload: dict[str, Any]) -> str:
    if payload["type"] == "text":
        return str(payload["text"]["body"])
    return str(payload["interactive"]["body"]["text"])


def button_ids(payload: dict[str, Any]) -> list[str]:
    assert payload["type"] == "interactive" and payload["interactive"]["type"] == "button", payload
    return [b["reply"]["id"] for b in payload["interactive"]["action"]["buttons"]]


def qloapps_bookings(stack: RunningStack, check_in: date, check_out: date) -> list[dict[str, Any]]:
    params = {"date_from": check_in.isoformat(), "date_to": check_out.isoformat()}
    return list(httpx.get(f"{stack.qloapps}/_state", params=params, timeout=5).json()["bookings"])


def test_spanish_guest_books_from_hola_and_then_cancels(local_stack: RunningStack) -> None:
    check_in, check_out = stay(2, 10)
    ana = Guest(local_stack)
    greeting = ana.say("hola")
    assert greeting["type"] == "text" and "Hotel Sol de Mayo" in body(greeting) and "Lucía" in body(greeting)

    rooms = ana.say(f"quiero reservar una habitación {spanish(check_in, check_out)}")
    assert "¿Cuántas personas" in body(rooms)
    listing = ana.say("somos 2")
    assert listing["type"] == "interactive" and listing["interactive"]["type"] == "list"
    rows = {r["title"]: r for s in listing["interactive"]["action"]["sections"] for r in s["rows"]}
    assert "Doble" in rows and "EUR" in rows["Doble"]["description"]
    assert "Individual" not in rows  # one adult at most: not offered to two guests

    summary = ana.choose(rows["Doble"]["id"], "Doble", kind="list_reply")
    assert button_ids(summary) == ["book:yes", "book:change", "book:no"] and "Doble" in body(summary)
    confirmed = ana.choose("book:yes", "Confirmar")
    text = body(confirmed)
    assert "Reserva confirmada" in text, text
    ref = text.split("#", 1)[1].split(".", 1)[0]

    (booking,) = [b for b in qloapps_bookings(local_stack, check_in, check_out) if str(b["id"]) == ref]
    assert booking["hotel_id"] == 1 and booking["state"] != 4
    assert [(line["date_from"], line["date_to"]) for line in booking["lines"]] == [
        (check_in.isoformat(), check_out.isoformat())
    ]

    ask = ana.say(f"quiero cancelar la reserva #{ref}")
    assert button_ids(ask) == ["cancel:yes", "cancel:no"]
    done = ana.choose("cancel:yes", "Sí, cancelar")
    assert f"#{ref} está cancelada" in body(done)
    (booking,) = [b for b in qloapps_bookings(local_stack, check_in, check_out) if str(b["id"]) == ref]
    assert booking["state"] == 4 and all(line["cancelled"] for line in booking["lines"])


def test_english_guest_gets_the_check_in_time_of_the_tenant(local_stack: RunningStack) -> None:
    john = Guest(local_stack, phone_number_id=HARBOR, name="John Smith")
    reply = john.say("Hi, what time is check-in?")
    assert body(reply) == "Check-in at Harbor View Inn is from 16:00."


def test_the_same_webhook_three_times_yields_one_reply(local_stack: RunningStack) -> None:
    to = guest()
    payload = text_webhook("hola, buenas", guest_wa_id=to, wamid=f"wamid.E2E-DUP-{to}")
    with httpx.Client(timeout=10) as client:
        for _ in range(3):
            assert deliver(client, local_stack.webhook, payload, app_secret=local_stack.app_secret).status_code == 200
    assert len(local_stack.wait_for_replies(to, 1, timeout=REPLY_TIMEOUT)) == 1
    # Give a late duplicate time to show up before concluding there is none.
    time.sleep(3)
    assert len(local_stack.sent(to)) == 1


def test_pms_down_gives_the_degraded_answer(local_stack: RunningStack) -> None:
    check_in, check_out = stay(5, 3)  # dates nobody asked for: no cached prices to fall back on
    httpx.post(f"{local_stack.qloapps}/_faults", json={"down": True}, timeout=5)
    try:
        guest_ = Guest(local_stack)
        reply = guest_.say(f"hay habitaciones {spanish(check_in, check_out)} para 2 personas?")
        assert "no puedo consultar el sistema de reservas" in body(reply)
        assert button_ids(reply) == ["retry", "handoff"]
        assert not [b for b in qloapps_bookings(local_stack, check_in, check_out) if guest_.wa_id in b["email"]]
    finally:
        httpx.delete(f"{local_stack.qloapps}/_faults", timeout=5)


def test_handoff_mails_the_staff_through_the_smtp_sink(local_stack: RunningStack) -> None:
    marta = Guest(local_stack, name="Marta Ruiz")
    reply = marta.say("quiero hablar con una persona")
    assert "ya les he avisado" in body(reply)
    mail_index = Path(local_stack.env["LOCAL_STATE_DIR"]) / "mail.jsonl"
    mails = [json.loads(line) for line in mail_index.read_text().splitlines()]
    (mail,) = [m for m in mails if marta.wa_id in m["body"]]
    assert mail["to"] == ["recepcion@hotelsoldemayo.example"] and "Marta Ruiz" in mail["body"]
    # Paused: the bot stays silent for this conversation.
    with httpx.Client(timeout=10) as client:
        deliver(
            client,
            local_stack.webhook,
            text_webhook("hola?", guest_wa_id=marta.wa_id),
            app_secret=local_stack.app_secret,
        )
    time.sleep(3)
    assert len(local_stack.sent(marta.wa_id)) == 1
