"""What the dialog answers, as plain values: one reply per guest message (or none while paused).

A reply is stored in the conversation's outbox before it is sent, so it round-trips through a dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ReplyKind = Literal["text", "buttons", "list"]


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    body: str
    buttons: tuple[tuple[str, str], ...] = ()  # (id, title), 1..3
    list_button: str = ""
    section: str = ""
    rows: tuple[tuple[str, str, str], ...] = ()  # (id, title, description), 1..10

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "body": self.body,
            "buttons": [list(b) for b in self.buttons],
            "list_button": self.list_button,
            "section": self.section,
            "rows": [list(r) for r in self.rows],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            kind=data["kind"],
            body=data["body"],
            buttons=tuple((str(b[0]), str(b[1])) for b in data.get("buttons", ())),
            list_button=data.get("list_button", ""),
            section=data.get("section", ""),
            rows=tuple((str(r[0]), str(r[1]), str(r[2])) for r in data.get("rows", ())),
        )


def text(body: str) -> Reply:
    return Reply("text", body)


def buttons(body: str, *items: tuple[str, str]) -> Reply:
    return Reply("buttons", body, buttons=tuple(items))


def choice_list(body: str, button: str, section: str, rows: list[tuple[str, str, str]]) -> Reply:
    return Reply("list", body, list_button=button, section=section, rows=tuple(rows))
