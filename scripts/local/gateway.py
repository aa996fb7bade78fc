"""The local API Gateway (HTTP API, payload format 2.0) and the local Lambda Invoke API.

Routes come from the topology; `{param}` and greedy `{proxy+}` path parts work as in API Gateway.
The invoke API answers like `sam local start-lambda`, so boto3's lambda client works against it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from infra import topology

from .runtime import FunctionError, FunctionPool

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-www-form-urlencoded", "+json")


def _compile(path: str) -> re.Pattern[str]:
    pattern = ""
    for part in path.strip("/").split("/"):
        if part.startswith("{") and part.endswith("+}"):
            pattern += f"/(?P<{part[1:-2]}>.+)"
        elif part.startswith("{") and part.endswith("}"):
            pattern += f"/(?P<{part[1:-1]}>[^/]+)"
        else:
            pattern += "/" + re.escape(part)
    return re.compile(f"^{pattern or '/'}$")


class RouteTable:
    def __init__(self, routes: tuple[topology.Route, ...]) -> None:
        # Literal paths before parameterised ones, as API Gateway prefers the most specific route.
        self._routes = sorted(((r, _compile(r.path)) for r in routes), key=lambda rc: rc[0].path.count("{"))

    def match(self, method: str, path: str) -> tuple[topology.Route, dict[str, str]] | None:
        allowed = False
        for route, pattern in self._routes:
            found = pattern.match(path)
            if found:
                allowed = True
                if route.method in (method, "ANY"):
                    return route, found.groupdict()
        return None if not allowed else (topology.Route("", path, ""), {})


def http_api_event(request: Request, body: bytes, route: topology.Route, path_params: dict[str, str]) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.url.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    content_type = headers.get("content-type", "")
    textual = not body or any(t in content_type for t in TEXT_TYPES)
    try:
        text_body = body.decode("utf-8") if textual else None
    except UnicodeDecodeError:
        text_body = None
    now = datetime.now(UTC)
    route_key = f"{route.method} {route.path}"
    client = request.client.host if request.client else "127.0.0.1"
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.url.path,
        "rawQueryString": request.url.query,
        "cookies": [c.strip() for c in headers.pop("cookie", "").split(";") if c.strip()] or None,
        "headers": headers,
        "queryStringParameters": query or None,
        "pathParameters": path_params or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": request.method,
                "path": request.url.path,
                "protocol": "HTTP/1.1",
                "sourceIp": headers.get("x-forwarded-for", client).split(",")[0].strip(),
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": (text_body if text_body is not None else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": bool(body) and text_body is None,
        "stageVariables": None,
    }


def http_api_response(result: Any) -> Response:
    """Lambda's answer -> HTTP, with HTTP API 2.0 rules (a bare value means 200 JSON)."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        return Response(json.dumps(result), status_code=200, media_type="application/json")
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = ",".join(str(v) for v in values)
    response = Response(raw, status_code=int(result["statusCode"]), headers=headers)
    for cookie in result.get("cookies") or ():
        response.raw_headers.append((b"set-cookie", str(cookie).encode()))
    return response


def create_api_app(pools: Mapping[str, FunctionPool], routes: tuple[topology.Route, ...]) -> Starlette:
    table = RouteTable(routes)

    async def dispatch(request: Request) -> Response:
        matched = table.match(request.method, request.url.path)
        if matched is None:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        route, params = matched
        if not route.function:
            return JSONResponse({"message": "Method Not Allowed"}, status_code=405)
        if route.function not in pools:
            return JSONResponse({"message": "Service Unavailable"}, status_code=503)
        body = await request.body()
        event = http_api_event(request, body, route, params)
        try:
            result = await asyncio.wrap_future(pools[route.function].submit(event))
        except Exception:
            return JSONResponse({"message": "Internal Server Error"}, status_code=500)
        ok, payload = result
        if not ok:  # an unhandled function error is a 500 at API Gateway, with a generic body
            return JSONResponse({"message": "Internal Server Error"}, status_code=500)
        return http_api_response(payload)

    async def ready(request: Request) -> Response:
        return JSONResponse({"ready": True, "functions": sorted(pools)})

    return Starlette(
        routes=[
            StarletteRoute("/_local/ready", ready, methods=["GET"]),
            StarletteRoute(
                "/{path:path}", dispatch, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            ),
        ]
    )


def logical_function_name(name_or_arn: str, stage: str) -> str:
    name = name_or_arn.split(":function:")[-1].split(":")[0]
    prefix = f"{topology.APP}-{stage}-"
    return name[len(prefix) :] if name.startswith(prefix) else name


def create_invoke_app(pools: Mapping[str, FunctionPool], stage: str) -> Starlette:
    async def invoke(request: Request) -> Response:
        name = logical_function_name(request.path_params["name"], stage)
        pool = pools.get(name)
        if pool is None:
            return JSONResponse(
                {"Type": "User", "message": f"Function not found: {name}"},
                status_code=404,
                headers={"x-amzn-ErrorType": "ResourceNotFoundException"},
            )
        raw = await request.body()
        try:
            event = json.loads(raw) if raw else {}
        except ValueError:
            return JSONResponse(
                {"Type": "User", "message": "Could not parse request body into json"},
                status_code=400,
                headers={"x-amzn-ErrorType": "InvalidRequestContentException"},
            )
        invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            return Response(status_code=204)
        future = pool.submit(event)
        if invocation_type == "Event":
            return Response(status_code=202)
        started = time.monotonic()
        try:
            ok, payload = await asyncio.wait_for(asyncio.wrap_future(future), pool.function.timeout_seconds + 1)
        except TimeoutError:
            ok, payload = False, {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"}
        headers = {
            "x-amz-executed-version": "$LATEST",
            "x-local-duration-ms": str(int((time.monotonic() - started) * 1000)),
        }
        if not ok:
            headers["x-amz-function-error"] = "Unhandled"
        return Response(json.dumps(payload), status_code=200, media_type="application/json", headers=headers)

    return Starlette(routes=[StarletteRoute("/2015-03-31/functions/{name}/invocations", invoke, methods=["POST"])])


__all__ = ["FunctionError", "create_api_app", "create_invoke_app", "http_api_event", "http_api_response"]
