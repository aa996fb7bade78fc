"""The admin API through its real Lambda handler (API Gateway HTTP API v2 events -> Mangum -> FastAPI),
against the moto server and real Redis."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import redis

from hotel_common.metrics import label_key
from tests.integration.tenancy.helpers import SOL, call, ident_path

pytestmark = pytest.mark.integration


def create(tenant_id: str, name: str = "", **fields: Any) -> None:
    body = {"tenant_id": tenant_id, "name": name or tenant_id.title(), **fields}
    assert call("POST", "/admin/tenants", body).status == 201


def counter(client: redis.Redis, metric: str, **labels: str) -> float:
    value = client.hget(f"metrics:{metric}", label_key(labels))
    return float(value) if value is not None else 0.0


# -- CRUD ---------------------------------------------------------------------------------------------


def test_create_read_update_and_identifiers(env: dict[str, Any]) -> None:
    created = call("POST", "/admin/tenants", SOL)
    assert created.status == 201
    assert created.json()["profile"]["address"] == "Calle Mayor 1, Madrid"

    added = call("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": "+34 600 000 001"})
    assert added.status == 201
    assert added.json() | {"created_at": ""} == {
        "tenant_id": "hotel-sol",
        "identifier": "34600000001",
        "kind": "phone",
        "created_at": "",
    }
    email = call("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": "Maria@Example.com", "kind": "email"})
    assert email.status == 201

    patched = call("PATCH", "/admin/tenants/hotel-sol", {"status": "inactive", "profile": {"wifi": "SolGuest"}})
    assert patched.status == 200
    body = patched.json()
    assert (body["status"], body["profile"]["wifi"], body["profile"]["address"]) == (
        "inactive",
        "SolGuest",
        "Calle Mayor 1, Madrid",  # a profile patch touches only the fields it names
    )

    got = call("GET", "/admin/tenants/hotel-sol").json()
    assert sorted(i["identifier"] for i in got["identifiers"]) == ["34600000001", "maria@example.com"]

    removed = call("DELETE", ident_path("hotel-sol", "+34 600 000 001"))
    assert removed.status == 200 and removed.json()["identifier"] == "34600000001"
    removed_email = call("DELETE", ident_path("hotel-sol", "maria@example.com"))
    assert removed_email.status == 200
    assert call("GET", "/admin/tenants/hotel-sol").json()["identifiers"] == []


def test_the_pms_key_is_never_in_the_table(env: dict[str, Any]) -> None:
    leaked = {**SOL, "pms": {**SOL["pms"], "webservice_key": "SOLDEMAYO2025DEMOWEBSERVICEKEY01"}}
    assert call("POST", "/admin/tenants", leaked).status == 422
    assert call("POST", "/admin/tenants", SOL).status == 201
    items = env["dynamodb"].scan(TableName=env["table"])["Items"]
    assert "WEBSERVICEKEY" not in repr(items)
    assert items[0]["pms"]["M"]["secret_name"]["S"] == "agente-hotel/test/pms/hotel-sol"


def test_list_is_paginated_with_identifiers(env: dict[str, Any]) -> None:
    ids = [f"hotel-{n:02d}" for n in range(7)]
    for tenant_id in reversed(ids):
        create(tenant_id)
    call("POST", "/admin/tenants/hotel-03/identifiers", {"identifier": "100000000000003"})
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = call("GET", "/admin/tenants", query=query).json()
        pages += 1
        seen += [t["tenant_id"] for t in page["tenants"]]
        for tenant in page["tenants"]:
            if tenant["tenant_id"] == "hotel-03":
                assert [i["identifier"] for i in tenant["identifiers"]] == ["100000000000003"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids  # sorted by tenant_id, each exactly once
    assert pages == 3


# -- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {"authorization": "Bearer wrong-token"},
        {"authorization": "Basic dGVzdC1hZG1pbi10b2tlbi0wMTIzNDU2Nzg5"},
        {"authorization": "Bearer"},
        {"x-api-key": "test-admin-token-0123456789"},
    ],
)
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/admin/tenants"),
        ("POST", "/admin/tenants"),
        ("PATCH", "/admin/tenants/hotel-sol"),
        ("POST", "/admin/tenants/refresh"),
        ("GET", "/admin/dashboard"),
        ("GET", "/admin/openapi.json"),
        ("GET", "/admin/nothing-here"),
    ],
)
def test_every_request_without_the_token_is_refused(
    env: dict[str, Any], auth: dict[str, str] | None, method: str, path: str
) -> None:
    reply = call(method, path, SOL if method != "GET" else None, auth=auth)
    assert reply.status == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    assert "hotel" not in reply.text.lower()
    assert env["dynamodb"].scan(TableName=env["table"])["Count"] == 0
    assert counter(env["redis"], "admin_rejected_total", reason="unauthorized") == 1


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/admin/tenants", {"tenant_id": "X!", "name": "x"}),
        ("POST", "/admin/tenants", {"tenant_id": "abc"}),
        ("POST", "/admin/tenants", {"tenant_id": "abc", "name": "A", "timezone": "Mars/Base"}),
        ("POST", "/admin/tenants", {"tenant_id": "abc", "name": "A", "surprise": True}),
        ("POST", "/admin/tenants", "{not json"),
        ("POST", "/admin/tenants", [1, 2]),
        ("PATCH", "/admin/tenants/hotel-sol", {"status": "closed"}),
        ("PATCH", "/admin/tenants/hotel-sol", {"name": ""}),
        ("PATCH", "/admin/tenants/hotel-sol", {"profile": {"check_out_time": "noon"}}),
        ("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": "not a phone"}),
        ("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": "34600000001", "kind": "fax"}),
        ("POST", "/admin/tenants/hotel-sol/identifiers", {}),
        ("GET", "/admin/tenants/NOT_A_SLUG", None),
    ],
)
def test_bad_requests_are_422_with_a_reason(env: dict[str, Any], method: str, path: str, body: Any) -> None:
    create("hotel-sol")
    reply = call(method, path, body)
    assert reply.status == 422
    assert reply.json()["detail"]


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"cursor": "BAD CURSOR"}])
def test_bad_pagination_is_422(env: dict[str, Any], query: dict[str, str]) -> None:
    assert call("GET", "/admin/tenants", query=query).status == 422


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/admin/tenants/ghost-inn", None),
        ("PATCH", "/admin/tenants/ghost-inn", {"status": "inactive"}),
        ("POST", "/admin/tenants/ghost-inn/identifiers", {"identifier": "100000000000005"}),
        ("DELETE", "/admin/tenants/ghost-inn/identifiers/100000000000001", None),
        ("DELETE", "/admin/tenants/hotel-sol/identifiers/100000000000009", None),  # not registered
        ("DELETE", "/admin/tenants/harbor-view/identifiers/100000000000001", None),  # another tenant's
        ("DELETE", "/admin/tenants/hotel-sol/identifiers/nonsense", None),
    ],
)
def test_unknown_tenants_and_identifiers_are_404(env: dict[str, Any], method: str, path: str, body: Any) -> None:
    create("hotel-sol")
    create("harbor-view")
    assert call("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": "100000000000001"}).status == 201
    reply = call(method, path, body)
    assert reply.status == 404, reply.text
    # Nothing was created or removed on the way.
    assert call("GET", "/admin/tenants/hotel-sol").json()["identifiers"][0]["identifier"] == "100000000000001"
    assert call("GET", "/admin/tenants/ghost-inn").status == 404


def test_an_empty_patch_changes_nothing(env: dict[str, Any]) -> None:
    assert call("POST", "/admin/tenants", SOL).status == 201
    before = call("GET", "/admin/tenants/hotel-sol").json()
    version = env["redis"].get(f"tenancy:{env['table']}:version")
    bodies: list[dict[str, Any]] = [{}, {"profile": {}}, {"name": None}]
    for body in bodies:
        reply = call("PATCH", "/admin/tenants/hotel-sol", body)
        assert reply.status == 200 and reply.json() == before
    assert env["redis"].get(f"tenancy:{env['table']}:version") == version  # nothing to propagate


def test_duplicates_are_409(env: dict[str, Any]) -> None:
    create("hotel-sol", "Hotel Sol de Mayo")
    create("harbor-view")
    again = call("POST", "/admin/tenants", {"tenant_id": "hotel-sol", "name": "Impostor"})
    assert again.status == 409
    assert call("GET", "/admin/tenants/hotel-sol").json()["name"] == "Hotel Sol de Mayo"

    assert call("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": "+34 600 000 001"}).status == 201
    # The same identifier in another spelling, for the same or another tenant.
    for tenant_id in ("hotel-sol", "harbor-view"):
        taken = call("POST", f"/admin/tenants/{tenant_id}/identifiers", {"identifier": "34600000001"})
        assert taken.status == 409
    assert call("GET", "/admin/tenants/harbor-view").json()["identifiers"] == []


# -- rate limit, metrics, token from Secrets Manager, OpenAPI ------------------------------------------


def test_rate_limit_per_client_counts_refusals(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.tenancy.conftest import reset_wiring

    monkeypatch.setenv("ADMIN_RATE_LIMIT", "3/minute")
    reset_wiring()
    statuses = [call("GET", "/admin/tenants", source_ip="198.51.100.7").status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another client has its own window; unauthenticated clients are limited too (no token guessing).
    assert call("GET", "/admin/tenants", source_ip="198.51.100.8").status == 200
    assert call("GET", "/admin/tenants", auth=None, source_ip="198.51.100.7").status == 429
    assert counter(env["redis"], "admin_rejected_total", reason="rate_limited") == 2


def test_rate_limit_fails_open_without_redis() -> None:
    from functions.tenant_admin.adapters import ClientRateLimiter
    from hotel_common.metrics import metrics

    metrics.drain()
    limiter = ClientRateLimiter("redis://127.0.0.1:9/0", "1/minute", timeout=0.2)
    assert limiter.hit("203.0.113.1").allowed and limiter.hit("203.0.113.1").allowed
    adds, _ = metrics.drain()
    assert adds[("rate_limit_fail_open_total", label_key({}))] == 2


def test_http_metrics_use_the_route_template(env: dict[str, Any]) -> None:
    create("hotel-sol")
    call("GET", "/admin/tenants/hotel-sol")
    call("GET", "/admin/tenants/ghost-inn")
    r = env["redis"]
    endpoint = "/admin/tenants/{tenant_id}"
    version = {"function_version": "$LATEST"}  # no AWS_LAMBDA_FUNCTION_VERSION outside Lambda
    assert counter(r, "http_requests_total", method="GET", endpoint=endpoint, status_code="200", **version) == 1
    assert counter(r, "http_requests_total", method="GET", endpoint=endpoint, status_code="404", **version) == 1
    assert (
        counter(r, "http_requests_total", method="POST", endpoint="/admin/tenants", status_code="201", **version) == 1
    )
    count_field = label_key({"method": "GET", "endpoint": endpoint, **version}) + "|count"
    assert float(r.hget("metrics:request_duration_seconds", count_field) or 0) == 2


def test_token_from_secrets_manager(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.tenancy.conftest import reset_wiring

    secrets = boto3.client("secretsmanager", endpoint_url=env["endpoint"], region_name="us-east-1")
    arn = secrets.create_secret(Name=f"admin-token-{env['table']}", SecretString="from-secrets-manager-42")["ARN"]
    monkeypatch.setenv("ADMIN_API_TOKEN_SECRET_ARN", arn)
    reset_wiring()
    assert call("GET", "/admin/tenants").status == 401  # the environment token no longer opens it
    assert call("GET", "/admin/tenants", auth={"authorization": "Bearer from-secrets-manager-42"}).status == 200

    monkeypatch.setenv("ADMIN_API_TOKEN_SECRET_ARN", arn + "-missing")
    reset_wiring()
    reply = call("GET", "/admin/tenants", auth={"authorization": "Bearer from-secrets-manager-42"})
    assert reply.status == 503  # fail closed when the token cannot be read
    assert counter(env["redis"], "admin_rejected_total", reason="token_unavailable") == 1


def test_openapi_document_lists_the_admin_routes(env: dict[str, Any]) -> None:
    from infra.topology import routes_of

    document = call("GET", "/admin/openapi.json").json()
    served = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    declared = {(r.method, r.path) for r in routes_of("tenant_admin")} - {("GET", "/admin/openapi.json")}
    assert served == declared


def test_a_patch_with_an_empty_profile_and_other_fields(env: dict[str, Any]) -> None:
    # Found by schemathesis: an empty profile patch used to leave an unused expression name (500).
    assert call("POST", "/admin/tenants", SOL).status == 201
    reply = call("PATCH", "/admin/tenants/hotel-sol", {"name": "Sol", "profile": {}})
    assert reply.status == 200 and reply.json()["name"] == "Sol"
