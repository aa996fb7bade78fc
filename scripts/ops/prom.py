"""A small Prometheus HTTP API client for instant queries: a local Prometheus, or Amazon Managed Prometheus
with SigV4 (service `aps`) when the URL is an AMP workspace or AMP_REGION is set."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx

_AMP_HOST = re.compile(r"^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com$")


class PrometheusError(RuntimeError):
    pass


def amp_region(url: str) -> str | None:
    """The region of an AMP workspace URL (`https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-…`)."""
    match = _AMP_HOST.match(urlparse(url).hostname or "")
    return match.group(1) if match else None


@dataclass
class Prometheus:
    url: str
    timeout: float = 10.0
    sigv4_region: str | None = None

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        if self.sigv4_region is None:
            self.sigv4_region = amp_region(self.url)

    def _headers(self, full_url: str) -> dict[str, str]:
        if not self.sigv4_region:
            return {}
        import boto3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = boto3.session.Session().get_credentials()
        if credentials is None:
            raise PrometheusError("AMP query needs AWS credentials (none found in the environment)")
        request = AWSRequest(method="GET", url=full_url)
        SigV4Auth(credentials.get_frozen_credentials(), "aps", self.sigv4_region).add_auth(request)
        return dict(request.headers.items())

    def query(self, promql: str, at: float | None = None) -> float | None:
        """The single value of an instant query; None when the result is empty or not a number (no traffic)."""
        params: dict[str, Any] = {"query": promql}
        if at is not None:
            params["time"] = f"{at:.3f}"
        full_url = f"{self.url}/api/v1/query?{urlencode(params)}"
        try:
            response = httpx.get(full_url, headers=self._headers(full_url), timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise PrometheusError(f"{self.url} unreachable: {exc}") from exc
        if response.status_code != 200:
            raise PrometheusError(f"query failed ({response.status_code}): {response.text[:300]}")
        body = response.json()
        if body.get("status") != "success":
            raise PrometheusError(f"query failed: {body.get('error')}")
        result = body["data"]["result"]
        if body["data"]["resultType"] == "scalar":
            value = float(result[1])
        elif not result:
            return None
        elif len(result) > 1:
            raise PrometheusError(f"query returned {len(result)} series, expected one: {promql}")
        else:
            value = float(result[0]["value"][1])
        return value if math.isfinite(value) else None
