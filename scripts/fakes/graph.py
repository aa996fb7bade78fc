"""Fake WhatsApp Cloud API (Graph) for the local stack and the tests.

Accepts sends like Meta (`POST /{version}/{phone_number_id}/messages`, bearer token, the same body
checks and error shape) and records them: `GET /_sent` lists what was sent, newest last (`?to=WA_ID`
filters), `GET /_reads` lists mark-as-read calls, `DELETE /_sent` forgets everything. `POST /_faults`
makes the next N sends fail with a Graph error code (e.g. 131047 re-engagement, 130429 throughput) or
be slow; `DELETE /_faults` resets.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ERROR_TITLES = {
    131047: ("Re-engagement message", 400),
    130429: ("Rate limit hit", 400),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", 400),
    131026: ("Message undeliverable", 400),
    131000: ("Something went wrong", 500),
    131016: ("Service unavailable", 503),
    190: ("Invalid OAuth access token", 401),
    131009: ("Parameter value is not valid", 400),
    131008: ("Required parameter is missing", 400),
}
SEND_TYPES = {
    "text",
    "interactive",
    "template",
    "image",
    "audio",
    "document",
    "video",
    "sticker",
    "location",
    "reaction",
    "contacts",
}


def digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


@dataclass
class Faults:
    error_code: int | None = None
    times: int = 0
    latency_ms: int = 0


@dataclass
class GraphState:
    access_token: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next_wamid(self) -> str:
        return f"wamid.FAKE{next(self.counter):012d}"


def graph_error(code: int, message: str | None = None, status: int | None = None) -> JSONResponse:
    title, default_status = ERROR_TITLES.get(code, ("Unknown error", 400))
    return JSONResponse(
        {
            "error": {
                "message": f"(#{code}) {message or title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": message or title},
                "fbtrace_id": "AfakeTraceId",
            }
        },
        status_code=status or default_status,
    )


def validate_send(body: dict[str, Any]) -> str | None:
    """Meta's checks on a send body; the reason when it would be refused (131009/131008)."""
    if body.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    kind = body.get("type", "text")
    if kind not in SEND_TYPES:
        return f"unsupported type {kind}"
    if not body.get("to"):
        return "to is required"
    content = body.get(kind)
    if not isinstance(content, dict):
        return f"{kind} object is required"
    if kind == "text" and not str(content.get("body", "")).strip():
        return "text.body is required"
    if kind == "interactive":
        return _validate_interactive(content)
    if kind == "template" and not content.get("name"):
        return "template.name is required"
    return None


def _validate_interactive(content: dict[str, Any]) -> str | None:
    body_text = (content.get("body") or {}).get("text", "")
    action = content.get("action") or {}
    if content.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return "buttons: 1 to 3 required"
        if any(len(b.get("reply", {}).get("title", "")) > 20 for b in buttons):
            return "button title longer than 20"
        if len(body_text) > 1024:
            return "body longer than 1024"
    elif content.get("type") == "list":
        rows = [r for s in action.get("sections") or [] for r in s.get("rows") or []]
        if not 1 <= len(rows) <= 10:
            return "list: 1 to 10 rows required"
        if any(len(r.get("title", "")) > 24 or len(r.get("description", "")) > 72 for r in rows):
            return "row title/description too long"
        if not action.get("button") or len(action["button"]) > 20:
            return "list button text required, at most 20"
    else:
        return f"unsupported interactive type {content.get('type')}"
    if not body_text:
        return "interactive.body.text is required"
    return None


def create_app(state: GraphState | None = None) -> Starlette:
    state = state or GraphState(access_token=os.environ.get("WHATSAPP_ACCESS_TOKEN", "local-access-token"))

    async def messages(request: Request) -> JSONResponse:
        if request.headers.get("authorization", "") != f"Bearer {state.access_token}":
            return graph_error(190, status=401)
        try:
            body = await request.json()
        except ValueError:
            return graph_error(131009, "body is not JSON")
        if not isinstance(body, dict):
            return graph_error(131009, "body is not an object")
        with state.lock:
            faults = state.faults
            fail_with = faults.error_code if faults.times > 0 else None
            if fail_with is not None:
                faults.times -= 1
            latency = faults.latency_ms
        if latency:
            await asyncio.sleep(latency / 1000)
        phone_number_id = request.path_params["phone_number_id"]
        if body.get("status") == "read":
            if not body.get("message_id"):
                return graph_error(131008, "message_id is required")
            with state.lock:
                state.reads.append({"phone_number_id": phone_number_id, **body, "at": time.time()})
            return JSONResponse({"success": True})
        problem = validate_send(body)
        if problem:
            return graph_error(131009, problem)
        if fail_with is not None:
            return graph_error(fail_with)
        with state.lock:
            wamid = state.next_wamid()
            state.sent.append(
                {
                    "id": wamid,
                    "phone_number_id": phone_number_id,
                    "to": body["to"],
                    "type": body.get("type", "text"),
                    "payload": body,
                    "at": time.time(),
                }
            )
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": digits(str(body["to"]))}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            }
        )

    async def sent(request: Request) -> JSONResponse:
        to = request.query_params.get("to")
        with state.lock:
            items = [m for m in state.sent if to is None or digits(str(m["to"])) == digits(to)]
        return JSONResponse(items)

    async def reads(request: Request) -> JSONResponse:
        with state.lock:
            return JSONResponse(list(state.reads))

    async def clear(request: Request) -> JSONResponse:
        with state.lock:
            state.sent.clear()
            state.reads.clear()
        return JSONResponse({"cleared": True})

    async def set_faults(request: Request) -> JSONResponse:
        data = await request.json()
        with state.lock:
            state.faults = Faults(
                error_code=data.get("error_code"),
                times=int(data.get("times", 1)),
                latency_ms=int(data.get("latency_ms", 0)),
            )
        return JSONResponse({"faults": data})

    async def reset_faults(request: Request) -> JSONResponse:
        with state.lock:
            state.faults = Faults()
        return JSONResponse({"faults": None})

    return Starlette(
        routes=[
            Route("/{version}/{phone_number_id}/messages", messages, methods=["POST"]),
            Route("/_sent", sent, methods=["GET"]),
            Route("/_sent", clear, methods=["DELETE"]),
            Route("/_reads", reads, methods=["GET"]),
            Route("/_faults", set_faults, methods=["POST"]),
            Route("/_faults", reset_faults, methods=["DELETE"]),
            Route("/_health", lambda request: JSONResponse({"ok": True}), methods=["GET"]),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
