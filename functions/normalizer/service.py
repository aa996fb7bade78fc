"""WhatsApp webhook body -> normalized events, in plain Python.

Every message and status of every entry and change is kept. Structural problems are reported as the
controlled error types of the original system (missing_entry, missing_changes, missing_messages,
unexpected) so the handler can count them and drop the record instead of retrying it forever.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hotel_common.models import (
    InboundMessage,
    InteractiveReply,
    Location,
    Media,
    Reaction,
    ReplyContext,
    StatusUpdate,
    WhatsAppError,
    utc_from_unix,
)

MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})


class NormalizationError(Exception):
    def __init__(self, error_type: str, detail: str = "") -> None:
        super().__init__(f"{error_type}: {detail}" if detail else error_type)
        self.error_type = error_type


@dataclass
class Normalized:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # Problems inside an otherwise usable body (one bad message among good ones): counted, not fatal.
    skipped: list[str] = field(default_factory=list)
    # Meta's system/app errors delivered in value.errors
    errors: list[WhatsAppError] = field(default_factory=list)

    @property
    def events(self) -> list[InboundMessage | StatusUpdate]:
        return [*self.messages, *self.statuses]


def normalize_body(body: str | bytes) -> Normalized:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NormalizationError("unexpected", "body is not JSON") from exc
    return normalize(payload)


def normalize(payload: Any) -> Normalized:
    if not isinstance(payload, dict):
        raise NormalizationError("unexpected", "payload is not an object")
    entries = payload.get("entry")
    if not entries:
        raise NormalizationError("missing_entry")
    if not isinstance(entries, list):
        raise NormalizationError("unexpected", "entry is not a list")
    result = Normalized()
    saw_changes = False
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not changes or not isinstance(changes, list):
            continue
        saw_changes = True
        for change in changes:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                result.skipped.append("unexpected")
                continue
            try:
                _normalize_value(value, result)
            except (AttributeError, TypeError, ValueError, KeyError, ValidationError):
                # A change Meta would never send this way: keep what the other changes hold.
                result.skipped.append("unexpected")
    if not saw_changes:
        raise NormalizationError("missing_changes")
    if not result.messages and not result.statuses:
        if result.skipped:
            raise NormalizationError("unexpected", f"{len(result.skipped)} unusable items")
        raise NormalizationError("missing_messages")
    return result


def _normalize_value(value: dict[str, Any], result: Normalized) -> None:
    metadata = _as_dict(value.get("metadata"))
    phone_number_id = str(metadata.get("phone_number_id") or "")
    display = str(metadata.get("display_phone_number") or "")
    names = {
        str(c.get("wa_id")): str(_as_dict(c.get("profile")).get("name") or "") for c in _dicts(value.get("contacts"))
    }
    result.errors.extend(_errors(value.get("errors")))
    for raw in _dicts(value.get("messages")):
        try:
            result.messages.append(_message(raw, phone_number_id, display, names))
        except (ValidationError, KeyError, TypeError, ValueError):
            result.skipped.append("unexpected")
    for raw in _dicts(value.get("statuses")):
        try:
            result.statuses.append(_status(raw, phone_number_id))
        except (ValidationError, KeyError, TypeError, ValueError):
            result.skipped.append("unexpected")


def _message(raw: dict[str, Any], phone_number_id: str, display: str, names: dict[str, str]) -> InboundMessage:
    if not phone_number_id:
        raise ValueError("no phone_number_id")
    kind = str(raw.get("type") or "unsupported")
    guest = str(raw["from"])
    fields: dict[str, Any] = {
        "wamid": str(raw["id"]),
        "timestamp": utc_from_unix(raw["timestamp"]),
        "phone_number_id": phone_number_id,
        "display_phone_number": display,
        "guest_wa_id": guest,
        "guest_name": names.get(guest, ""),
        "errors": tuple(_errors(raw.get("errors"))),
    }
    found = raw.get(kind)
    content: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == "text":
        fields["text"] = str(content.get("body") or "")
    elif kind == "interactive":
        sub = str(content.get("type") or "")
        reply = content.get(sub) if sub in ("button_reply", "list_reply") else None
        if isinstance(reply, dict):
            fields["interactive"] = InteractiveReply(
                kind=sub,  # type: ignore[arg-type]
                id=str(reply.get("id") or ""),
                title=str(reply.get("title") or ""),
                description=str(reply.get("description") or ""),
            )
            fields["text"] = fields["interactive"].title
        else:  # nfm_reply (flows) and future kinds: kept, with nothing to read
            kind = "unsupported"
    elif kind == "button":
        fields["text"] = str(content.get("text") or "")
        fields["button_payload"] = str(content.get("payload") or "")
    elif kind == "location":
        fields["location"] = Location(
            latitude=float(content["latitude"]),
            longitude=float(content["longitude"]),
            name=str(content.get("name") or ""),
            address=str(content.get("address") or ""),
        )
    elif kind in MEDIA_TYPES:
        fields["media"] = Media(
            id=str(content.get("id") or ""),
            mime_type=str(content.get("mime_type") or ""),
            sha256=str(content.get("sha256") or ""),
            caption=str(content.get("caption") or ""),
            filename=str(content.get("filename") or ""),
            voice=bool(content.get("voice", False)),
        )
        fields["text"] = fields["media"].caption
    elif kind == "reaction":
        fields["reaction"] = Reaction(
            message_id=str(content.get("message_id") or ""), emoji=str(content.get("emoji") or "")
        )
    elif kind not in ("contacts", "order", "system", "unsupported"):
        kind = "unsupported"
    context = raw.get("context")
    if isinstance(context, dict):
        fields["context"] = ReplyContext(
            message_id=str(context.get("id") or ""),
            forwarded=bool(context.get("forwarded") or context.get("frequently_forwarded")),
        )
    return InboundMessage(type=kind, **fields)  # type: ignore[arg-type]


def _status(raw: dict[str, Any], phone_number_id: str) -> StatusUpdate:
    return StatusUpdate(
        wamid=str(raw["id"]),
        status=str(raw["status"]),  # type: ignore[arg-type]
        timestamp=utc_from_unix(raw["timestamp"]),
        phone_number_id=phone_number_id,
        recipient_id=str(raw.get("recipient_id") or ""),
        errors=tuple(_errors(raw.get("errors"))),
    )


def _errors(raw: Any) -> Iterable[WhatsAppError]:
    for item in _dicts(raw):
        code = item.get("code")
        data = item.get("error_data")
        yield WhatsAppError(
            code=code if isinstance(code, int) else None,
            title=str(item.get("title") or ""),
            message=str(item.get("message") or ""),
            details=str(data.get("details") or "") if isinstance(data, dict) else "",
        )


def _as_dict(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _dicts(raw: Any) -> list[dict[str, Any]]:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []
