"""Calls into the real admin Lambda handler with API Gateway HTTP API v2 events."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from tests.events import FakeContext, http_event
from tests.integration.tenancy.conftest import ADMIN_TOKEN

AUTH = {"authorization": f"Bearer {ADMIN_TOKEN}"}

SOL: dict[str, Any] = {
    "tenant_id": "hotel-sol",
    "name": "Hotel Sol de Mayo",
    "language": "es",
    "timezone": "Europe/Madrid",
    "profile": {"check_in_time": "14:00", "address": "Calle Mayor 1, Madrid", "staff_email": "staff@sol.example"},
    "pms": {"base_url": "http://127.0.0.1:8081", "hotel_id": 1, "secret_name": "agente-hotel/test/pms/hotel-sol"},
}


class Reply:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.status: int = raw["statusCode"]
        self.headers: dict[str, str] = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
        self.text: str = raw.get("body") or ""

    def json(self) -> Any:
        return json.loads(self.text)


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    auth: dict[str, str] | None = AUTH,
    query: dict[str, str] | None = None,
    route_key: str | None = None,
    source_ip: str = "127.0.0.1",
) -> Reply:
    from functions.tenant_admin.handler import handler

    headers = {**(auth or {}), **({"content-type": "application/json"} if body is not None else {})}
    payload = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    event = http_event(method, path, payload, headers, query, route_key=route_key, source_ip=source_ip)
    return Reply(handler(event, FakeContext()))  # type: ignore[arg-type]


def ident_path(tenant_id: str, identifier: str) -> str:
    return f"/admin/tenants/{tenant_id}/identifiers/{quote(identifier, safe='')}"
