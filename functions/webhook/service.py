"""What the webhook decides, in plain Python: subscription checks, body checks, queue routing.

Nothing here parses a message: the only reading of the body is the JSON check and the two ids that
choose the FIFO message group.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from hotel_common import signature


@dataclass(frozen=True)
class Rejection:
    status: int
    reason: str


@dataclass(frozen=True)
class Delivery:
    body: bytes
    group_id: str
    deduplication_id: str


def check_subscription(params: dict[str, str], verify_token: str) -> str | None:
    """Meta's GET challenge: the challenge to echo, or None (-> 403)."""
    token = params.get("hub.verify_token", "")
    if (
        params.get("hub.mode") == "subscribe"
        and verify_token
        and hmac.compare_digest(token.encode(), verify_token.encode())
        and "hub.challenge" in params
    ):
        return params["hub.challenge"]
    return None


def check_delivery(body: bytes, signature_header: str | None, app_secret: str, max_bytes: int) -> Delivery | Rejection:
    if len(body) > max_bytes:
        return Rejection(413, "too_large")
    if not signature_header:
        return Rejection(401, "missing_signature")
    if not signature.verify(body, signature_header, app_secret):
        return Rejection(401, "bad_signature")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Rejection(400, "not_json")
    if not isinstance(payload, dict):
        return Rejection(400, "not_an_object")
    return Delivery(body=body, group_id=group_for(payload), deduplication_id=hashlib.sha256(body).hexdigest())


def group_for(payload: dict[str, Any]) -> str:
    """FIFO group: the business number, plus the guest when the whole body concerns one guest.

    Guests of one hotel then progress in parallel while each guest's deliveries keep their order.
    """
    business: set[str] = set()
    guests: set[str] = set()
    try:
        for entry in payload.get("entry") or ():
            for change in entry.get("changes") or ():
                value = change.get("value") or {}
                business.add(str((value.get("metadata") or {}).get("phone_number_id", "")))
                guests.update(str(m.get("from", "")) for m in value.get("messages") or ())
                guests.update(str(s.get("recipient_id", "")) for s in value.get("statuses") or ())
    except (AttributeError, TypeError):
        return "malformed"
    business.discard("")
    group = {0: "unknown", 1: next(iter(business), "")}.get(len(business), "mixed")
    if len(guests) == 1 and (guest := next(iter(guests))):
        group = f"{group}:{guest}"
    return group[:128]
