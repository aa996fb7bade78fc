"""Hypothesis strategies for WhatsApp webhook bodies: well-formed ones in Meta's shape, and mutations of
them (wrong types, missing keys, junk values) to stand for what a real delivery could hold."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
DIGITS = st.text(alphabet="0123456789", min_size=6, max_size=15)
TYPES = [
    "text",
    "interactive",
    "button",
    "location",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "reaction",
    "contacts",
    "unsupported",
    "order",
    "system",
    "ephemeral",
]


@st.composite
def message(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    content: dict[str, Any] = {
        "text": {"body": draw(st.text(max_size=200))},
        "interactive": {
            "type": draw(st.sampled_from(["button_reply", "list_reply", "nfm_reply"])),
            "button_reply": {"id": draw(st.text(max_size=20)), "title": draw(st.text(max_size=20))},
            "list_reply": {"id": draw(st.text(max_size=20)), "title": draw(st.text(max_size=24))},
        },
        "button": {"payload": draw(st.text(max_size=10)), "text": draw(st.text(max_size=10))},
        "location": {"latitude": draw(st.floats(-90, 90)), "longitude": draw(st.floats(-180, 180))},
        "reaction": {"message_id": "wamid.x", "emoji": draw(st.sampled_from(["👍", "", "❤️"]))},
    }.get(kind, {"id": draw(st.text(max_size=10)), "mime_type": "application/octet-stream"})
    return {
        "from": draw(DIGITS),
        "id": "wamid." + draw(st.text(alphabet="ABCDEFGHIJKLMNOP0123456789", min_size=4, max_size=30)),
        "timestamp": str(draw(st.integers(0, 2_000_000_000))),
        "type": kind,
        kind: content,
    }


@st.composite
def status(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": "wamid." + draw(st.text(alphabet="ABCDEF0123456789", min_size=4, max_size=20)),
        "status": draw(st.sampled_from(["sent", "delivered", "read", "failed", "played"])),
        "timestamp": str(draw(st.integers(0, 2_000_000_000))),
        "recipient_id": draw(DIGITS),
    }


@st.composite
def webhook_body(draw: st.DrawFn) -> dict[str, Any]:
    changes = []
    for _ in range(draw(st.integers(0, 3))):
        messages = draw(st.lists(message(), max_size=3))
        value: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": draw(DIGITS), "phone_number_id": draw(DIGITS)},
            "contacts": [{"profile": {"name": draw(st.text(max_size=30))}, "wa_id": m["from"]} for m in messages],
            "messages": messages,
            "statuses": draw(st.lists(status(), max_size=2)),
        }
        changes.append({"value": value, "field": "messages"})
    return {"object": "whatsapp_business_account", "entry": [{"id": draw(DIGITS), "changes": changes}]}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out += _paths(child, (*prefix, index))
    return out


@st.composite
def mutated_body(draw: st.DrawFn) -> Any:
    """A well-formed body with a few nodes replaced by arbitrary JSON or deleted."""
    body: Any = draw(webhook_body())
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(body)
        path = draw(st.sampled_from(paths))
        if not path:
            body = draw(ANY_JSON)
            continue
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(ANY_JSON)
    return body
