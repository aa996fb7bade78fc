"""`pms_api_latency_seconds{endpoint,method}` for every QloApps HTTP call, measured at the transport so
the client itself stays free of metrics. The endpoint label is the resource path with ids folded
(`bookings/{id}`), which keeps the series few whatever the traffic."""

from __future__ import annotations

import re
import time

import httpx

from hotel_common.metrics import metrics

_ID = re.compile(r"/\d+(?=/|$)")


def endpoint_of(path: str) -> str:
    resource = path.rsplit("/api/", 1)[-1].strip("/")
    return _ID.sub("/{id}", "/" + resource).lstrip("/") or "root"


class MeteredTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        labels = {"endpoint": endpoint_of(request.url.path), "method": request.method}
        try:
            response = self._inner.handle_request(request)
            response.read()  # the body is part of the call's latency (a failure to read it is a failure)
        finally:
            metrics.observe("pms_api_latency_seconds", time.perf_counter() - started, **labels)
        return response

    def close(self) -> None:
        self._inner.close()
