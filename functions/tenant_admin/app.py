"""The admin API (FastAPI): routes, the one place where domain errors become responses, and the
middlewares (HTTP metrics outermost, then the per-client rate limit, then authentication)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import Body, FastAPI, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match

from hotel_common.logging import get_logger
from hotel_common.metrics import function_version, metrics
from hotel_common.tenancy.cache import TenancyUnavailable
from hotel_common.tenancy.errors import TenantStoreError
from hotel_common.tenancy.models import (
    TENANT_ID_PATTERN,
    Identifier,
    IdentifierCreate,
    Tenant,
    TenantCreate,
    TenantPatch,
    utc_now,
)

from . import dashboard
from .adapters import AdminToken, ClientRateLimiter, MessageCounts, TokenUnavailable
from .service import InvalidRequest, PropagationUnavailable, TenantAdmin

logger = get_logger()
PREFIX = "/admin"
TenantIdPath = Annotated[str, Path(pattern=TENANT_ID_PATTERN, description="lowercase slug, 3-40 chars")]


@dataclass(frozen=True)
class AdminDeps:
    admin: TenantAdmin
    token: AdminToken
    limiter: ClientRateLimiter | None
    counts: MessageCounts


class IdentifierOut(BaseModel):
    identifier: str
    kind: str
    created_at: str = ""


class TenantOut(Tenant):
    identifiers: list[IdentifierOut] = Field(default_factory=list)


class TenantList(BaseModel):
    tenants: list[TenantOut]
    next_cursor: str | None = None


class IdentifierAdded(BaseModel):
    tenant_id: str
    identifier: str
    kind: str
    created_at: str


class IdentifierRemoved(BaseModel):
    status: Literal["identifier_removed"] = "identifier_removed"
    tenant_id: str
    identifier: str


class Refreshed(BaseModel):
    status: Literal["refreshed"] = "refreshed"
    version: str
    tenants: int
    active: int
    identifiers: int


class Problem(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "body is not decodable JSON"},
    401: {"model": Problem, "description": "missing or wrong bearer token"},
    429: {"model": Problem, "description": "rate limited"},
}


def _out(tenant: Tenant, identifiers: list[Identifier]) -> TenantOut:
    return TenantOut(
        **tenant.model_dump(),
        identifiers=[IdentifierOut(identifier=i.identifier, kind=i.kind, created_at=i.created_at) for i in identifiers],
    )


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


def create_app(deps: AdminDeps) -> FastAPI:
    app = FastAPI(
        title="agente-hotel tenant admin",
        version="1.0.0",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=ERRORS,
    )
    admin = deps.admin

    @app.get(f"{PREFIX}/tenants", response_model=TenantList)
    def list_tenants(
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        cursor: Annotated[str | None, Query(pattern=TENANT_ID_PATTERN, description="next_cursor of a page")] = None,
    ) -> TenantList:
        page = admin.list_page(limit, cursor)
        return TenantList(tenants=[_out(t, ids) for t, ids in page.tenants], next_cursor=page.next_cursor)

    @app.post(f"{PREFIX}/tenants", status_code=201, response_model=TenantOut, responses={409: {"model": Problem}})
    def create_tenant(body: TenantCreate) -> TenantOut:
        return _out(admin.create(body), [])

    @app.post(f"{PREFIX}/tenants/refresh", response_model=Refreshed, responses={503: {"model": Problem}})
    def refresh_tenants() -> Refreshed:
        result = admin.refresh()
        return Refreshed(
            version=result.version, tenants=result.tenants, active=result.active, identifiers=result.identifiers
        )

    @app.get(f"{PREFIX}/tenants/{{tenant_id}}", response_model=TenantOut, responses={404: {"model": Problem}})
    def get_tenant(tenant_id: TenantIdPath) -> TenantOut:
        return _out(*admin.get(tenant_id))

    @app.patch(f"{PREFIX}/tenants/{{tenant_id}}", response_model=TenantOut, responses={404: {"model": Problem}})
    def update_tenant(tenant_id: TenantIdPath, body: TenantPatch) -> TenantOut:
        admin.update(tenant_id, body)
        return _out(*admin.get(tenant_id))

    @app.post(
        f"{PREFIX}/tenants/{{tenant_id}}/identifiers",
        status_code=201,
        response_model=IdentifierAdded,
        responses={404: {"model": Problem}, 409: {"model": Problem}},
    )
    def add_identifier(tenant_id: TenantIdPath, body: Annotated[IdentifierCreate, Body()]) -> IdentifierAdded:
        ident = admin.add_identifier(tenant_id, body)
        return IdentifierAdded(**ident.model_dump())

    @app.delete(
        f"{PREFIX}/tenants/{{tenant_id}}/identifiers/{{identifier}}",
        response_model=IdentifierRemoved,
        responses={404: {"model": Problem}},
    )
    def remove_identifier(
        tenant_id: TenantIdPath, identifier: Annotated[str, Path(min_length=1, max_length=254)]
    ) -> IdentifierRemoved:
        return IdentifierRemoved(tenant_id=tenant_id, identifier=admin.remove_identifier(tenant_id, identifier))

    @app.get(f"{PREFIX}/dashboard", response_class=HTMLResponse)
    def show_dashboard() -> HTMLResponse:
        return HTMLResponse(dashboard.render(admin.all_tenants(), deps.counts.per_tenant(), utc_now()))

    _install_error_handlers(app)
    _install_middlewares(app, deps)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TenantStoreError)
    async def store_refusal(_request: Request, exc: TenantStoreError) -> JSONResponse:
        return _problem(exc.code, str(exc))

    @app.exception_handler(InvalidRequest)
    async def invalid(_request: Request, exc: InvalidRequest) -> JSONResponse:
        return _problem(422, str(exc))

    @app.exception_handler(PropagationUnavailable)
    async def no_propagation(_request: Request, exc: PropagationUnavailable) -> JSONResponse:
        metrics.inc("admin_rejected_total", reason="version_unavailable")
        return _problem(503, "tenant change propagation unavailable (Redis); retry")

    async def dependency_down(_request: Request, exc: Exception) -> JSONResponse:
        metrics.inc("admin_rejected_total", reason="store_unavailable")
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
        logger.error("tenant store call failed", extra={"error": type(exc).__name__, "code": code})
        return _problem(503, "tenant store unavailable; retry")

    for error in (ClientError, BotoCoreError, TenancyUnavailable):
        app.add_exception_handler(error, dependency_down)  # type: ignore[arg-type]


Handler = Callable[[Request], Awaitable[Response]]


def _install_middlewares(app: FastAPI, deps: AdminDeps) -> None:
    # Starlette runs the last added middleware first: metrics see every response, 401s and 429s included.
    @app.middleware("http")
    async def authenticate(request: Request, call_next: Handler) -> Response:
        try:
            allowed = await run_in_threadpool(deps.token.matches, request.headers.get("authorization"))
        except TokenUnavailable as exc:
            metrics.inc("admin_rejected_total", reason="token_unavailable")
            logger.error("admin token unavailable", extra={"error": str(exc)})
            return _problem(503, "authentication unavailable")
        if not allowed:
            metrics.inc("admin_rejected_total", reason="unauthorized")
            return _problem(401, "unauthorized: send Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
        return await call_next(request)

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Handler) -> Response:
        if deps.limiter is not None:
            client = request.client.host if request.client else "unknown"
            decision = await run_in_threadpool(deps.limiter.hit, client)
            if not decision.allowed:
                metrics.inc("admin_rejected_total", reason="rate_limited")
                return _problem(429, "too many requests", {"Retry-After": str(decision.retry_after_seconds)})
        return await call_next(request)

    @app.middleware("http")
    async def http_metrics(request: Request, call_next: Handler) -> Response:
        endpoint = route_template(app, request)
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            labels = {"method": request.method, "endpoint": endpoint, "function_version": function_version()}
            metrics.observe("request_duration_seconds", time.perf_counter() - started, **labels)
            metrics.inc("http_requests_total", status_code=str(status), **labels)


def route_template(app: FastAPI, request: Request) -> str:
    """The matched route's path template (bounded label values), or "unmatched"."""
    partial = None
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "unmatched"))
        if match == Match.PARTIAL and partial is None:
            partial = str(getattr(route, "path", "unmatched"))
    return partial or "unmatched"
