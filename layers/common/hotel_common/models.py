"""Normalized events: what the normalizer puts on the messages queue and the orchestrator reads.

One `InboundMessage` per guest message and one `StatusUpdate` per delivery status of a message we sent,
whatever the batching of the webhook that carried them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MessageType = Literal[
    "text",
    "interactive",
    "button",
    "location",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "reaction",
    "contacts",
    "order",
    "system",
    "unsupported",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class WhatsAppError(_Model):
    code: int | None = None
    title: str = ""
    message: str = ""
    details: str = ""


class InteractiveReply(_Model):
    kind: Literal["button_reply", "list_reply"]
    id: str
    title: str = ""
    description: str = ""


class Location(_Model):
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""


class Media(_Model):
    id: str = ""
    mime_type: str = ""
    sha256: str = ""
    caption: str = ""
    filename: str = ""
    voice: bool = False


class Reaction(_Model):
    message_id: str = ""
    emoji: str = ""  # empty when the guest removed a reaction


class ReplyContext(_Model):
    message_id: str = ""
    forwarded: bool = False


class InboundMessage(_Model):
    kind: Literal["message"] = "message"
    channel: Literal["whatsapp"] = "whatsapp"
    wamid: str
    timestamp: datetime
    phone_number_id: str
    display_phone_number: str = ""
    guest_wa_id: str
    guest_name: str = ""
    type: MessageType
    # What the guest said as text: the body, a caption, or the title of the button/row they chose.
    text: str = ""
    interactive: InteractiveReply | None = None
    button_payload: str = ""
    location: Location | None = None
    media: Media | None = None
    reaction: Reaction | None = None
    context: ReplyContext | None = None
    errors: tuple[WhatsAppError, ...] = ()
    tenant_id: str | None = None

    @property
    def conversation_key(self) -> str:
        return f"{self.phone_number_id}:{self.guest_wa_id}"


class StatusUpdate(_Model):
    kind: Literal["status"] = "status"
    channel: Literal["whatsapp"] = "whatsapp"
    wamid: str
    status: Literal["sent", "delivered", "read", "failed", "played", "deleted", "warning"]
    timestamp: datetime
    phone_number_id: str
    recipient_id: str
    errors: tuple[WhatsAppError, ...] = ()
    tenant_id: str | None = None

    @property
    def conversation_key(self) -> str:
        return f"{self.phone_number_id}:{self.recipient_id}"


Event = Annotated[InboundMessage | StatusUpdate, Field(discriminator="kind")]
EVENT_ADAPTER: TypeAdapter[InboundMessage | StatusUpdate] = TypeAdapter(Event)


def parse_event(raw: str | bytes | dict[str, Any]) -> InboundMessage | StatusUpdate:
    if isinstance(raw, dict):
        return EVENT_ADAPTER.validate_python(raw)
    return EVENT_ADAPTER.validate_json(raw)


def utc_from_unix(seconds: str | int | float) -> datetime:
    """Meta's timestamps (Unix seconds, as a string). Anything that is not one is a ValueError, which the
    normalizer counts as an unusable item: a time out of the platform's range (OverflowError, or OSError on
    some platforms) must not fail the whole delivery, messages of other guests included."""
    try:
        return datetime.fromtimestamp(int(seconds), tz=UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"timestamp out of range: {str(seconds)[:40]}") from exc
