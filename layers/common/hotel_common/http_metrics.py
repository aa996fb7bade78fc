"""One Powertools middleware for every HTTP function: http_requests_total, request_duration_seconds,
active_connections, labelled with the route (not the raw path, so ids in paths cannot explode series) and the
Lambda version that answered."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from hotel_common.metrics import function_version, metrics

_in_flight = 0


def route_of(event: Any) -> str:
    route_key = (event.raw_event or {}).get("routeKey") or ""
    if " " in route_key:
        return route_key.split(" ", 1)[1]
    return event.path or "unknown"


def http_metrics_middleware(app: Any, next_middleware: NextMiddleware) -> Response:
    global _in_flight
    event = app.current_event
    method = event.http_method
    endpoint = route_of(event)
    _in_flight += 1
    metrics.set("active_connections", _in_flight)
    started = time.perf_counter()
    status = 500
    try:
        response = next_middleware(app)
        status = response.status_code
        return response
    finally:
        _in_flight -= 1
        metrics.set("active_connections", _in_flight)
        labels = {"method": method, "endpoint": endpoint, "function_version": function_version()}
        metrics.observe("request_duration_seconds", time.perf_counter() - started, **labels)
        metrics.inc("http_requests_total", status_code=str(status), **labels)
