"""Meta's side of the webhook: builds WhatsApp Cloud API webhook bodies in the recorded wire format,
signs them like Meta (X-Hub-Signature-256) and delivers them. Used by `make chat`, the tests, the
benchmarks and the perf smoke, so there is one fake of Meta's deliveries."""

from __future__ import annotations

import itertools
import json
import os
import time
import uuid
from typing import Any

import httpx

from hotel_common.signature import sign

DEFAULT_PHONE_NUMBER_ID = "100000000000001"
DEFAULT_DISPLAY_NUMBER = "34600000001"
_counter = itertools.count(1)


def new_wamid() -> str:
    # Real wamids are base64 of an opaque id; uniqueness is what matters to us.
    return f"wamid.HBgL{uuid.uuid4().hex.upper()}{next(_counter):06d}"


def envelope(value: dict[str, Any], waba_id: str = "102290129340398") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": value, "field": "messages"}]}],
    }


def message_value(
    messages: list[dict[str, Any]],
    *,
    guest_wa_id: str,
    guest_name: str = "Guest",
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": guest_name}, "wa_id": guest_wa_id}],
        "messages": messages,
    }


def guest_message(guest_wa_id: str, kind: str, content: dict[str, Any], *, wamid: str | None = None) -> dict[str, Any]:
    return {
        "from": guest_wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
    }


def text_webhook(
    text: str,
    *,
    guest_wa_id: str = "34611111111",
    guest_name: str = "Ana García",
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    wamid: str | None = None,
) -> dict[str, Any]:
    message = guest_message(guest_wa_id, "text", {"body": text}, wamid=wamid)
    return envelope(
        message_value([message], guest_wa_id=guest_wa_id, guest_name=guest_name, phone_number_id=phone_number_id)
    )


def interactive_webhook(
    reply_id: str,
    title: str,
    *,
    kind: str = "button_reply",
    guest_wa_id: str = "34611111111",
    guest_name: str = "Ana García",
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    context_wamid: str | None = None,
) -> dict[str, Any]:
    message = guest_message(guest_wa_id, "interactive", {"type": kind, kind: {"id": reply_id, "title": title}})
    if context_wamid:
        message["context"] = {"from": DEFAULT_DISPLAY_NUMBER, "id": context_wamid}
    return envelope(
        message_value([message], guest_wa_id=guest_wa_id, guest_name=guest_name, phone_number_id=phone_number_id)
    )


def status_webhook(
    wamid: str,
    status: str,
    *,
    recipient_id: str,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient_id,
    }
    if errors:
        item["errors"] = errors
    return envelope(
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": DEFAULT_DISPLAY_NUMBER, "phone_number_id": phone_number_id},
            "statuses": [item],
        }
    )


def encode(payload: dict[str, Any]) -> bytes:
    # Meta sends compact JSON with non-ASCII characters escaped; the signature covers these exact bytes.
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes, app_secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}


def deliver(
    client: httpx.Client,
    url: str,
    payload: dict[str, Any] | bytes,
    *,
    app_secret: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else encode(payload)
    secret = app_secret if app_secret is not None else os.environ.get("WHATSAPP_APP_SECRET", "local-app-secret")
    return client.post(url, content=body, headers={**signed_headers(body, secret), **(headers or {})})
