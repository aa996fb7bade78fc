"""`make chat`: talk to the running local stack as a WhatsApp guest, in the terminal.

Each line is sent as a signed webhook, like Meta would; the bot's replies are read back from the fake
Graph API. Buttons and list rows are shown as numbered options: type the number to choose one, and it goes
back as an interactive button_reply / list_reply with the option's id. Commands: /new (a new guest),
/resume (lift a handoff pause), /quit.

    python -m scripts.chat [--hotel sol|harbor] [--guest 34611111111] [--name "Ana García"]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from scripts.fakes.meta_webhook import deliver, interactive_webhook, text_webhook

HOTELS = {"sol": ("100000000000001", "hotel-sol"), "harbor": ("100000000000002", "harbor-view")}
REPLY_TIMEOUT = 45.0


@dataclass(frozen=True)
class Option:
    id: str
    title: str
    kind: str  # button_reply | list_reply


def render(payload: dict[str, Any]) -> tuple[str, list[Option]]:
    """A sent message as terminal text, and the options the guest can pick by number."""
    kind = payload.get("type")
    if kind == "text":
        return str(payload["text"]["body"]), []
    if kind == "template":
        template = payload["template"]
        params = [p["text"] for c in template.get("components", []) for p in c.get("parameters", [])]
        return f"[template {template['name']} ({template['language']['code']}): {', '.join(params)}]", []
    if kind != "interactive":
        return f"[{kind} message]", []
    interactive = payload["interactive"]
    lines = [str(interactive["body"]["text"])]
    options: list[Option] = []
    if interactive["type"] == "button":
        for button in interactive["action"]["buttons"]:
            options.append(Option(button["reply"]["id"], button["reply"]["title"], "button_reply"))
            lines.append(f"  [{len(options)}] {button['reply']['title']}")
    elif interactive["type"] == "list":
        lines.append(f"  ({interactive['action']['button']})")
        for section in interactive["action"]["sections"]:
            if section.get("title"):
                lines.append(f"  {section['title']}:")
            for row in section["rows"]:
                options.append(Option(row["id"], row["title"], "list_reply"))
                description = f" — {row['description']}" if row.get("description") else ""
                lines.append(f"  [{len(options)}] {row['title']}{description}")
    if options:
        lines.append("  (type a number to choose)")
    return "\n".join(lines), options


def pick(line: str, options: list[Option]) -> Option | None:
    """The option a typed number names, if any."""
    if line.isdigit() and 1 <= int(line) <= len(options):
        return options[int(line) - 1]
    return None


class ChatSession:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.phone_number_id, self.tenant_id = HOTELS[args.hotel]
        self.guest = args.guest or "34" + str(uuid.uuid4().int)[:9]
        self.http = httpx.Client(timeout=10)
        self.options: list[Option] = []

    def sent(self) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.args.graph}/_sent", params={"to": self.guest})
        response.raise_for_status()
        return list(response.json())

    def send(self, line: str) -> None:
        option = pick(line, self.options)
        common = {"guest_wa_id": self.guest, "guest_name": self.args.name, "phone_number_id": self.phone_number_id}
        if option is not None:
            print(f"  → {option.title}")
            payload = interactive_webhook(option.id, option.title, kind=option.kind, **common)
        else:
            payload = text_webhook(line, **common)
        before = len(self.sent())
        response = deliver(self.http, self.args.url, payload, app_secret=self.args.app_secret)
        if response.status_code != 200:
            print(f"! webhook answered {response.status_code}: {response.text}")
            return
        self.wait(before)

    def wait(self, before: int) -> None:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            new = self.sent()[before:]
            if new:
                for item in new:
                    text, self.options = render(item["payload"])
                    print("bot: " + text.replace("\n", "\n     "))
                return
            time.sleep(0.2)
        print("(no reply: the assistant may be paused after a handoff — /resume lifts the pause)")

    def resume(self) -> None:
        response = self.http.post(
            f"{self.args.invoke}/2015-03-31/functions/orchestrator/invocations",
            json={"action": "resume", "tenant_id": self.tenant_id, "guest_wa_id": self.guest},
        )
        print(f"(resume: {response.text})")

    def run(self) -> None:
        print(f"Chatting with {self.tenant_id} as {self.args.name} (+{self.guest}). /new, /resume, /quit.")
        while True:
            try:
                line = input("you: ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return
            if not line:
                continue
            if line == "/quit":
                return
            if line == "/new":
                self.guest, self.options = "34" + str(uuid.uuid4().int)[:9], []
                print(f"(new guest +{self.guest})")
                continue
            if line == "/resume":
                self.resume()
                continue
            try:
                self.send(line)
            except httpx.HTTPError as exc:
                print(f"! is the local stack running (make local)? {exc}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hotel", choices=sorted(HOTELS), default="sol")
    parser.add_argument("--guest", default="")
    parser.add_argument("--name", default="Ana García")
    parser.add_argument("--url", default=os.environ.get("WEBHOOK_URL", "http://127.0.0.1:3000/webhooks/whatsapp"))
    parser.add_argument("--graph", default=os.environ.get("GRAPH_URL", "http://127.0.0.1:8082"))
    parser.add_argument("--invoke", default=os.environ.get("INVOKE_URL", "http://127.0.0.1:3001"))
    parser.add_argument("--app-secret", default=os.environ.get("WHATSAPP_APP_SECRET", "local-app-secret"))
    ChatSession(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
