"""WhatsApp Cloud API (Graph) client: text, reply buttons, lists, templates, mark-as-read.

Sends go to `{WHATSAPP_API_BASE_URL}/{version}/{phone_number_id}/messages` with a bearer token. Rate
limits (HTTP 429, codes 4/80007/130429) and 5xx are retried with backoff; everything else raises
`GraphError` carrying Meta's code, so callers can react (131047: outside the 24 h window).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from hotel_common.metrics import metrics
from hotel_common.retry import call_with_retry

RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 131057}) | RATE_LIMIT_CODES
REENGAGEMENT_CODE = 131047

# Meta's limits on interactive messages (send-messages reference)
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
BODY_MAX = 1024


class GraphError(Exception):
    def __init__(self, status: int, code: int | None, message: str, transient: bool = False) -> None:
        super().__init__(f"graph error status={status} code={code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.transient = transient or status >= 500 or status == 429 or code in TRANSIENT_CODES

    @property
    def outside_window(self) -> bool:
        return self.code == REENGAGEMENT_CODE


@dataclass(frozen=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class ListSection:
    title: str
    rows: Sequence[ListRow] = field(default_factory=tuple)


@dataclass(frozen=True)
class SendResult:
    message_id: str
    wa_id: str = ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WhatsAppClient:
    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        api_version: str = "v25.0",
        timeout: float = 5.0,
        attempts: int = 3,
        http: httpx.Client | None = None,
    ) -> None:
        self._base = f"{base_url.rstrip('/')}/{api_version}"
        self._attempts = attempts
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            headers={"Authorization": f"Bearer {access_token}"},
        )

    # -- message builders -------------------------------------------------------------------------
    def send_text(self, phone_number_id: str, to: str, body: str, *, reply_to: str | None = None) -> SendResult:
        return self._send(phone_number_id, to, "text", {"preview_url": False, "body": body}, reply_to)

    def send_buttons(
        self,
        phone_number_id: str,
        to: str,
        body: str,
        buttons: Sequence[Button],
        *,
        footer: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise ValueError(f"1..{MAX_BUTTONS} buttons, got {len(buttons)}")
        interactive: dict[str, Any] = {
            "type": "button",
            "body": {"text": _clip(body, BODY_MAX)},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": b.id, "title": _clip(b.title, BUTTON_TITLE_MAX)}} for b in buttons
                ]
            },
        }
        if footer:
            interactive["footer"] = {"text": _clip(footer, 60)}
        return self._send(phone_number_id, to, "interactive", interactive, reply_to)

    def send_list(
        self,
        phone_number_id: str,
        to: str,
        body: str,
        button: str,
        sections: Sequence[ListSection],
        *,
        header: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        rows = sum(len(s.rows) for s in sections)
        if not 1 <= rows <= LIST_ROWS_MAX:
            raise ValueError(f"1..{LIST_ROWS_MAX} rows in total, got {rows}")
        interactive: dict[str, Any] = {
            "type": "list",
            "body": {"text": _clip(body, 4096)},
            "action": {
                "button": _clip(button, 20),
                "sections": [
                    {
                        "title": _clip(s.title, 24),
                        "rows": [
                            {
                                "id": r.id,
                                "title": _clip(r.title, ROW_TITLE_MAX),
                                **({"description": _clip(r.description, ROW_DESCRIPTION_MAX)} if r.description else {}),
                            }
                            for r in s.rows
                        ],
                    }
                    for s in sections
                ],
            },
        }
        if header:
            interactive["header"] = {"type": "text", "text": _clip(header, 60)}
        return self._send(phone_number_id, to, "interactive", interactive, reply_to)

    def send_template(
        self, phone_number_id: str, to: str, name: str, language: str, parameters: Sequence[str] = ()
    ) -> SendResult:
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}]
        return self._send(phone_number_id, to, "template", template, None)

    def mark_read(self, phone_number_id: str, message_id: str, *, typing: bool = False) -> None:
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        if typing:
            payload["typing_indicator"] = {"type": "text"}
        self._post(phone_number_id, payload, operation="graph_mark_read")

    # -- transport --------------------------------------------------------------------------------
    def _send(
        self, phone_number_id: str, to: str, kind: str, content: dict[str, Any], reply_to: str | None
    ) -> SendResult:
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            kind: content,
        }
        if reply_to:
            payload["context"] = {"message_id": reply_to}
        try:
            data = self._post(phone_number_id, payload, operation="graph_send")
        except GraphError:
            metrics.inc("whatsapp_send_total", type=kind, result="error")
            raise
        metrics.inc("whatsapp_send_total", type=kind, result="ok")
        try:
            return SendResult(
                message_id=str(data["messages"][0]["id"]), wa_id=str(data.get("contacts", [{}])[0].get("wa_id", ""))
            )
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphError(200, None, f"unexpected send response: {str(data)[:200]}") from exc

    def _post(self, phone_number_id: str, payload: dict[str, Any], *, operation: str) -> dict[str, Any]:
        url = f"{self._base}/{phone_number_id}/messages"

        def once() -> dict[str, Any]:
            try:
                response = self._http.post(url, json=payload)
            except httpx.TimeoutException as exc:
                raise GraphError(504, None, f"timeout: {exc}", transient=True) from exc
            except httpx.TransportError as exc:
                raise GraphError(503, None, f"transport: {exc}", transient=True) from exc
            return _parse_response(response)

        return call_with_retry(
            once,
            operation=operation,
            retryable=lambda exc: isinstance(exc, GraphError) and exc.transient,
            attempts=self._attempts,
            base_delay=0.2,
            max_delay=2.0,
            deadline_seconds=8.0,
        )


def _parse_response(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and isinstance(data, dict):
        return data
    error = data.get("error", {}) if isinstance(data, dict) else {}
    if not isinstance(error, dict):
        error = {}
    code = error.get("code")
    return_code = code if isinstance(code, int) else None
    raise GraphError(
        response.status_code,
        return_code,
        str(error.get("message") or response.text[:200]),
        transient=bool(error.get("is_transient", False)),
    )
